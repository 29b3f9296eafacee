import Atelier

/// A refused form's messages, each by the id of the field it belongs to (the domain locates them with JSON
/// pointers), and the form's text fields as the `back-office-field` partial draws them: the label, what was
/// typed, and the message next to the field, tied to it with `aria-describedby` and `aria-invalid`.
struct ConsoleFieldErrors {
    private(set) var messages: [String: String] = [:]
    /// What belongs to no field of the form (a conflict, a rule about the whole form).
    private(set) var general: [String] = []

    init() {}

    /// The domain's refusal, each field error put where `field` says its pointer belongs; the detail when the
    /// refusal names no field.
    init(_ error: AtelierError, field: (String) -> String?) {
        if error.errors.isEmpty { general.append(error.detail) }
        for problem in error.errors {
            if let id = field(problem.pointer) {
                add(id, problem.message)
            } else {
                general.append(ConsolePage.explain(.validation([problem])))
            }
        }
    }

    var isEmpty: Bool { messages.isEmpty && general.isEmpty }

    mutating func add(_ id: String, _ message: String) {
        let sentence = message.prefix(1).uppercased() + message.dropFirst()
        messages[id] = messages[id].map { "\($0) \(sentence)" } ?? sentence
    }

    mutating func note(_ message: String) { general.append(message) }

    /// The `role="alert"` summary above the form, nil when nothing was refused.
    var summary: String? {
        guard !isEmpty else { return nil }
        var parts = general
        switch messages.count {
        case 0: break
        case 1: parts.append("One field needs attention; its message is next to it.")
        default: parts.append("\(messages.count) fields need attention; each message is next to its field.")
        }
        return parts.joined(separator: " ")
    }

    /// A text field for the partial: its message and hint, if any, describe it.
    func field(_ id: String, name: String? = nil, label: String, value: String, type: String = "text", required: Bool = false,
               hint: String? = nil, multiline: Bool = false, inputMode: String? = nil, autocomplete: String? = nil) -> [String: Any] {
        let error = messages[id]
        let describedBy = [hint.map { _ in id + "-hint" }, error.map { _ in id + "-error" }].compactMap { $0 }.joined(separator: " ")
        return [
            "fieldId": id, "fieldName": name ?? id, "fieldLabel": label, "fieldValue": value, "fieldType": type,
            "fieldRequired": required, "fieldMultiline": multiline, "fieldHint": hint as Any, "fieldError": error as Any,
            "fieldInputMode": inputMode as Any, "fieldAutocomplete": autocomplete as Any,
            "fieldDescribedBy": (describedBy.isEmpty ? nil : describedBy) as Any,
        ]
    }

    /// A group's message (a set of checkboxes, a list of rows), for the template to show in its fieldset.
    func group(_ id: String) -> [String: Any]? {
        messages[id].map { ["groupId": id, "groupError": $0] }
    }
}
