import AtelierCore
import Foundation

/// The assets module's settings: how large an upload may be, and where assets are stored.
public struct AssetSettings: Sendable {
    /// Largest image upload accepted.
    public var maxAssetBytes = 10 * 1_048_576
    /// Largest image accepted, in pixels; larger ones are refused from their header, before any decoding.
    public var maxImagePixels = 25_000_000
    /// An S3-compatible bucket for assets; nil keeps them under the data folder.
    public var s3: S3Settings?

    public init() {}

    /// Reads the variables below; a bad one is recorded in `reader` and leaves its default.
    package static func read(_ reader: inout EnvironmentReader) -> AssetSettings {
        var settings = AssetSettings()
        settings.maxAssetBytes = reader.integer("ATELIER_MAX_ASSET_BYTES", default: settings.maxAssetBytes, in: 1024...1_073_741_824)
        settings.maxImagePixels = reader.integer("ATELIER_MAX_IMAGE_PIXELS", default: settings.maxImagePixels, in: 1...268_435_456)
        if let bucket = reader.value("ATELIER_S3_BUCKET") {
            let region = reader.value("ATELIER_S3_REGION") ?? "us-east-1"
            let endpointText = reader.value("ATELIER_S3_ENDPOINT") ?? "https://s3.\(region).amazonaws.com"
            let endpoint = URL(string: endpointText).flatMap { ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? $0 : nil }
            if endpoint == nil { reader.problems.append("ATELIER_S3_ENDPOINT=\(endpointText): must be an http(s) URL") }
            let keyID = reader.value("ATELIER_S3_ACCESS_KEY_ID"), secret = reader.value("ATELIER_S3_SECRET_ACCESS_KEY")
            if keyID == nil { reader.problems.append("ATELIER_S3_ACCESS_KEY_ID: required when ATELIER_S3_BUCKET is set") }
            if secret == nil { reader.problems.append("ATELIER_S3_SECRET_ACCESS_KEY: required when ATELIER_S3_BUCKET is set") }
            let pathStyle = reader.boolean("ATELIER_S3_PATH_STYLE", default: false)
            if let endpoint, let keyID, let secret {
                settings.s3 = S3Settings(endpoint: endpoint, bucket: bucket, region: region, accessKeyID: keyID,
                                         secretAccessKey: secret, pathStyle: pathStyle)
            }
        }
        return settings
    }

    /// The variables `read` reads, as the README documents them.
    public static let variables: [EnvironmentVariable] = [
        .init("ATELIER_MAX_ASSET_BYTES", "10485760", "largest image upload accepted (bytes); uploads are streamed to storage, never held whole"),
        .init("ATELIER_MAX_IMAGE_PIXELS", "25000000", "largest image upload accepted, in pixels (width × height), refused from its header before decoding"),
        .init("ATELIER_S3_BUCKET", "(unset: local folder)", "store assets in this S3-compatible bucket"),
        .init("ATELIER_S3_ENDPOINT", "https://s3.REGION.amazonaws.com", "the S3 endpoint (MinIO, R2, moto …)"),
        .init("ATELIER_S3_REGION", "us-east-1", "the region requests are signed for"),
        .init("ATELIER_S3_ACCESS_KEY_ID", "(required with a bucket)", "access key id"),
        .init("ATELIER_S3_SECRET_ACCESS_KEY", "(required with a bucket)", "secret access key"),
        .init("ATELIER_S3_PATH_STYLE", "false", "true: ENDPOINT/BUCKET/KEY; false: BUCKET.ENDPOINT/KEY"),
    ]
}
