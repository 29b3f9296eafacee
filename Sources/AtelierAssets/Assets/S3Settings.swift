import AtelierCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How to reach an S3-compatible bucket.
public struct S3Settings: Sendable, Equatable {
    public var endpoint: URL
    public var bucket: String
    public var region: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// true: `endpoint/bucket/key`; false: `bucket.endpoint/key` (virtual-hosted).
    public var pathStyle: Bool
    /// Prefix for every object key, e.g. `assets/`.
    public var prefix: String

    public init(endpoint: URL, bucket: String, region: String, accessKeyID: String, secretAccessKey: String,
                pathStyle: Bool, prefix: String = "assets/") {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.pathStyle = pathStyle
        self.prefix = prefix
    }
}
