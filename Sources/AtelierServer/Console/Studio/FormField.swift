/// One input of a console form, named by the JSON pointer of the value it edits (`/dimensions/0/values/1/code`),
/// so that an error the domain reports at a pointer is shown next to the input that holds it. Rendered by the
/// `field` partial; every key is always present (Mustache would otherwise look a missing one up in the page).
struct FormField {
    enum Kind { case text, number, checkbox, textarea, select }

    var pointer: String
    var label: String
    var value: String
    var kind: Kind = .text
    var checked = false
    var choices: [(value: String, label: String)] = []
    var hideLabel = false
    var readOnly = false
    var required = false
    var error: String?

    /// An HTML id made of the pointer: `/dimensions/0/code` is `f-dimensions-0-code`.
    var id: String {
        "f" + pointer.map { character -> String in
            character.isLetter || character.isNumber ? String(character) : "-"
        }.joined()
    }

    var values: [String: Any] {
        [
            "id": id, "name": pointer, "label": label, "value": value, "error": error ?? false, "invalid": error != nil,
            "checkbox": kind == .checkbox, "textarea": kind == .textarea, "select": kind == .select, "number": kind == .number,
            "checked": checked, "hideLabel": hideLabel, "readOnly": readOnly, "required": required,
            "choices": choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] as [String: Any] },
        ]
    }
}
