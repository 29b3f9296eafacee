/// Text for XML (and HTML) character data and attribute values: the five markup characters as entities, and the
/// characters XML 1.0 cannot carry (controls other than tab, line feed and carriage return; U+FFFE, U+FFFF) left out.
/// Used wherever the server writes markup itself: previews, charts, template overlays, the API's docs page.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
