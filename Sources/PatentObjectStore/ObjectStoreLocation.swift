import Foundation

/// Where objects are kept, as the commands take it (`--segments`):
/// - `s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]` — an S3-compatible bucket. The
///   endpoint defaults to `AWS_ENDPOINT_URL`, else AWS's own for the region; the region to
///   `AWS_REGION`, else `us-east-1`. Credentials come from `AWS_ACCESS_KEY_ID` and
///   `AWS_SECRET_ACCESS_KEY`, never from the location (it appears in logs).
/// - a folder path (or `file://PATH`) — a folder, on this machine or a shared mount.
public enum ObjectStoreLocation {
    public static func open(_ location: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any ObjectStore {
        guard location.hasPrefix("s3://") else {
            let path = location.hasPrefix("file://") ? String(location.dropFirst("file://".count)) : location
            guard !path.isEmpty else { throw ObjectStoreError.invalidLocation("an empty folder path") }
            return try FolderObjectStore(root: path)
        }
        guard let components = URLComponents(string: location), let bucket = components.host, !bucket.isEmpty else {
            throw ObjectStoreError.invalidLocation("\(location) is not s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]")
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["endpoint", "region"].contains(item.name), let value = item.value, !value.isEmpty else {
                throw ObjectStoreError.invalidLocation("unknown or empty parameter \"\(item.name)\" in \(location) (endpoint, region)")
            }
            parameters[item.name] = value
        }
        guard let accessKey = environment["AWS_ACCESS_KEY_ID"], let secretKey = environment["AWS_SECRET_ACCESS_KEY"],
              !accessKey.isEmpty, !secretKey.isEmpty else {
            throw ObjectStoreError.invalidLocation("\(location) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
        let region = parameters["region"] ?? environment["AWS_REGION"] ?? "us-east-1"
        let endpoint = parameters["endpoint"] ?? environment["AWS_ENDPOINT_URL"] ?? "https://s3.\(region).amazonaws.com"
        let prefix = components.path.split(separator: "/").joined(separator: "/")
        return try S3ObjectStore(.init(endpoint: endpoint, bucket: bucket, prefix: prefix, region: region,
                                       accessKey: accessKey, secretKey: secretKey))
    }
}
