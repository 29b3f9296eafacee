import AtelierCore
import AtelierCatalog
import AtelierCustomization
import Foundation

/// What is kept of a provider's event: its ids, type, amounts, currency, status and the references
/// Atelier needs (our checkout id, the provider's order and capture ids) — nothing else.
///
/// Providers send far more than that: a PayPal order names the payer and where to ship, a Stripe
/// PaymentIntent can carry billing details, a receipt email and a shipping address. The stored document
/// is built by walking the parsed event along an allow-list, so a field a provider adds later is left
/// out until it is named here. Only scalars are kept where the list expects one, and no long strings
/// (an id or a status is short), so an unexpected object or a free text cannot slip through a known name.
public enum ProviderEventPayload {
    /// The stored form of `payload` from `provider`: sorted-key JSON, `{}` when nothing is left or the
    /// payload is not JSON. Minimizing a minimized document gives it back unchanged.
    public static func minimized(_ payload: String, provider: PaymentProviderKind) -> String {
        minimized(payload, along: allowed(for: provider))
    }

    package static func minimized(_ payload: String, along rule: Keep) -> String {
        guard let parsed = try? JSONDecoder().decode(Value.self, from: Data(payload.utf8)), let document = kept(parsed, along: rule),
              let text = try? Coding.encode(document)
        else { return "{}" }
        return text
    }

    /// What erasure leaves in place of a payload, kept whoever the provider is.
    package static let erasureOnly: Keep = .object(["erased": .scalar])

    /// The longest string kept: ids, statuses, currency codes and amounts are far shorter.
    static let longestString = 200

    /// Which parts of a document are kept.
    package indirect enum Keep: Sendable {
        /// A string, number or boolean.
        case scalar
        /// These members, each by its own rule.
        case object([String: Keep])
        /// Every element, by one rule.
        case array(Keep)
    }

    package static func allowed(for provider: PaymentProviderKind) -> Keep {
        switch provider {
        case .stripe: Self.stripe
        case .paypal: Self.paypal
        case .test: Self.test
        }
    }

    /// A PayPal amount: `{"currency_code": "USD", "value": "76.00"}`.
    static let money: Keep = .object(["currency_code": .scalar, "value": .scalar])

    /// A Stripe event (`payment_intent.*`) around its PaymentIntent. Left out among others: `payment_method`,
    /// `billing_details`, `receipt_email`, `shipping`, `customer`, `description`, other metadata, and the
    /// error's `message` and `payment_method`.
    static let stripe: Keep = .object([
        "id": .scalar, "object": .scalar, "type": .scalar, "created": .scalar, "livemode": .scalar, "api_version": .scalar,
        "request": .object(["id": .scalar, "idempotency_key": .scalar]),
        "data": .object(["object": .object([
            "id": .scalar, "object": .scalar, "status": .scalar, "created": .scalar, "livemode": .scalar,
            "amount": .scalar, "amount_received": .scalar, "amount_capturable": .scalar, "currency": .scalar,
            "capture_method": .scalar, "cancellation_reason": .scalar, "latest_charge": .scalar,
            "metadata": .object(["checkout_id": .scalar]),
            "last_payment_error": .object(["type": .scalar, "code": .scalar, "decline_code": .scalar]),
        ])]),
        "erased": .scalar,
    ])

    /// A PayPal webhook event around a capture or an order (an approval whose capture it reports). Left out
    /// among others: `payer`, `purchase_units[].shipping`, `payee`, `links` and `summary`.
    static let paypal: Keep = .object([
        "id": .scalar, "event_type": .scalar, "event_version": .scalar, "resource_type": .scalar, "resource_version": .scalar,
        "create_time": .scalar,
        "resource": .object([
            "id": .scalar, "status": .scalar, "intent": .scalar, "create_time": .scalar, "update_time": .scalar,
            "final_capture": .scalar, "custom_id": .scalar, "invoice_id": .scalar, "amount": money,
            "status_details": .object(["reason": .scalar]),
            "seller_receivable_breakdown": .object(["gross_amount": money, "paypal_fee": money, "net_amount": money]),
            "supplementary_data": .object(["related_ids": .object(["order_id": .scalar, "capture_id": .scalar, "authorization_id": .scalar])]),
            "purchase_units": .array(.object([
                "reference_id": .scalar, "custom_id": .scalar, "invoice_id": .scalar, "amount": money,
                "payments": .object(["captures": .array(.object([
                    "id": .scalar, "status": .scalar, "amount": money, "final_capture": .scalar, "custom_id": .scalar, "create_time": .scalar,
                ]))]),
            ])),
        ]),
        "erased": .scalar,
    ])

    /// The built-in provider's own note.
    static let test: Keep = .object(["provider": .scalar, "erased": .scalar])

    /// What `value` keeps along `rule`; nil when nothing is left.
    static func kept(_ value: Value, along rule: Keep) -> Value? {
        switch (rule, value) {
        case (.scalar, .string(let text)):
            return text.count <= longestString ? value : nil
        case (.scalar, .integer), (.scalar, .number), (.scalar, .bool):
            return value
        case (.object(let rules), .object(let members)):
            var result: [String: Value] = [:]
            for (name, member) in rules {
                if let present = members[name], let filtered = kept(present, along: member) { result[name] = filtered }
            }
            return result.isEmpty ? nil : .object(result)
        case (.array(let element), .array(let items)):
            let result = items.compactMap { kept($0, along: element) }
            return result.isEmpty ? nil : .array(result)
        default:
            // Nulls, and a container where a scalar belongs or the other way round.
            return nil
        }
    }

    /// A parsed JSON document.
    enum Value: Codable, Sendable, Equatable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let integer = try? container.decode(Int64.self) {
                self = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let array = try? container.decode([Value].self) {
                self = .array(array)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let bool): try container.encode(bool)
            case .integer(let integer): try container.encode(integer)
            case .number(let number): try container.encode(number)
            case .string(let string): try container.encode(string)
            case .array(let array): try container.encode(array)
            case .object(let object): try container.encode(object)
            }
        }
    }
}
