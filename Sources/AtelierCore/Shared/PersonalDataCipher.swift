import Crypto
import Foundation

/// Encrypts customer personal data (names, emails, phones, addresses) at rest with AES-256-GCM.
///
/// Keys have ids so they can rotate: new data is sealed with the current key and carries its id;
/// data sealed with an older key stays readable as long as that key is configured. Lookups by email
/// use a keyed hash (HMAC-SHA256 with a separate lookup key) of the normalized address, so the
/// database never holds a plaintext email, and a rotated data key does not change any lookup.
///
/// Sealed text: `v1.<key id>.<base64url of nonce ‖ ciphertext ‖ tag>`. The key id is bound as
/// authenticated data, so a value cannot be passed off as sealed under another key.
public struct PersonalDataCipher: Sendable {
    public struct Key: Sendable {
        public var id: String
        public var key: SymmetricKey

        public init(id: String, key: SymmetricKey) {
            self.id = id
            self.key = key
        }
    }

    /// The first key seals; every key opens.
    public let keys: [Key]
    let lookupKey: SymmetricKey

    public init(keys: [Key], lookupKey: SymmetricKey) {
        precondition(!keys.isEmpty, "at least one data key")
        self.keys = keys
        self.lookupKey = lookupKey
    }

    /// A key for another purpose (`purpose` names it), derived from the lookup key so it is as stable as
    /// that one and needs no setting of its own.
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: lookupKey, info: Data(("atelier " + purpose).utf8), outputByteCount: 32)
    }

    public enum Failure: Error, Equatable {
        case malformed
        case unknownKey(String)
        case authenticationFailed
    }

    public func seal(_ plaintext: String) throws -> String {
        let current = keys[0]
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(current.id.utf8))
        guard let combined = box.combined else { throw Failure.malformed }
        return "v1.\(current.id).\(combined.base64URLEncoded())"
    }

    public func open(_ sealed: String) throws -> String {
        let parts = sealed.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let combined = Data(base64URLEncoded: String(parts[2])) else { throw Failure.malformed }
        let id = String(parts[1])
        guard let key = keys.first(where: { $0.id == id }) else { throw Failure.unknownKey(id) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            return String(decoding: try AES.GCM.open(box, using: key.key, authenticating: Data(id.utf8)), as: UTF8.self)
        } catch {
            throw Failure.authenticationFailed
        }
    }

    public func seal<T: Encodable>(json value: T) throws -> String { try seal(try Coding.encode(value)) }

    public func open<T: Decodable>(json sealed: String, as type: T.Type) throws -> T {
        try Coding.decoder.decode(T.self, from: Data(try open(sealed).utf8))
    }

    /// The keyed hash an email is found by: trimmed and lowercased first.
    public func lookupHash(email: String) -> String {
        let normalized = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return Hex.string(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: lookupKey))
    }

    /// A cipher with fresh random keys, for tests and first starts.
    public static func random(keyId: String = "k1") -> PersonalDataCipher {
        PersonalDataCipher(keys: [Key(id: keyId, key: SymmetricKey(size: .bits256))], lookupKey: SymmetricKey(size: .bits256))
    }
}
