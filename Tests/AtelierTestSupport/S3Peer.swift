import Atelier
import Foundation

/// The S3 peer of the tests: moto_server with signature checking on, started by `scripts/s3-peer.py`
/// (CI does), described by `ATELIER_TEST_S3_*`. Each call answers a fresh key prefix.
public enum S3Peer {
    public static var settings: S3Settings? {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["ATELIER_TEST_S3_ENDPOINT"].flatMap(URL.init(string:)), let bucket = env["ATELIER_TEST_S3_BUCKET"],
            let key = env["ATELIER_TEST_S3_ACCESS_KEY_ID"], let secret = env["ATELIER_TEST_S3_SECRET_ACCESS_KEY"]
        else { return nil }
        return S3Settings(endpoint: endpoint, bucket: bucket, region: "us-east-1", accessKeyID: key, secretAccessKey: secret,
                          pathStyle: true, prefix: "test-\(UUID().uuidString)/")
    }
}
