import AtelierAPI
import Foundation
import Yams

/// Writes a YAML node as JSON, keeping the order of mapping keys so the JSON reads like the YAML.
enum JSONFromYAML {
    static func write(_ node: Node, into out: inout String) throws {
        switch node {
        case .mapping(let mapping):
            out += "{"
            var first = true
            for (key, value) in mapping {
                guard let name = key.string else { throw ContractError("a mapping key is not a string") }
                if !first { out += "," }
                first = false
                JSONText.appendString(name, to: &out)
                out += ":"
                try write(value, into: &out)
            }
            out += "}"
        case .sequence(let sequence):
            out += "["
            for (index, element) in sequence.enumerated() {
                if index > 0 { out += "," }
                try write(element, into: &out)
            }
            out += "]"
        case .scalar(let scalar):
            // A quoted or block scalar is always a string; only plain scalars resolve to other types.
            if scalar.style == .plain || scalar.style == .any {
                switch node.tag.rawValue {
                case Tag.Name.null.rawValue: out += "null"; return
                case Tag.Name.bool.rawValue: out += node.bool == true ? "true" : "false"; return
                case Tag.Name.int.rawValue: if let value = node.int { out += String(value); return }
                case Tag.Name.float.rawValue: if let value = node.float, value.isFinite { out += String(value); return }
                default: break
                }
            }
            JSONText.appendString(scalar.string, to: &out)
        case .alias:
            throw ContractError("YAML aliases are not used in the contract")
        }
    }
}
