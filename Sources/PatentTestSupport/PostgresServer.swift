import Foundation

/// A private PostgreSQL server for tests: Debian's postgresql-15 binaries, a cluster made
/// by `initdb` in a temporary folder (as the unprivileged `postgres` user when the tests run
/// as root, which initdb refuses), listening on a free loopback port only, with `trust`
/// authentication for the user `patents`. Stopped by its PID (`stop()`, or at exit for the
/// shared one); its folder is removed.
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private let process: Process
    private let binaries: String

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// One server for a whole test run, started on first use and stopped when the process exits.
    public static let shared: PostgresServer = {
        do {
            let server = try PostgresServer()
            atexit { PostgresServer.shared.stop() }
            return server
        } catch {
            fatalError("\(error)")
        }
    }()

    public init() throws {
        guard let binaries = Self.findBinaries() else {
            throw Unavailable(description: "no PostgreSQL server binaries under /usr/lib/postgresql (make test installs postgresql-15)")
        }
        self.binaries = binaries
        directory = try temporaryDirectory("postgres")
        let data = (directory as NSString).appendingPathComponent("data")
        let account = getuid() == 0 ? getpwnam("postgres") : nil
        if getuid() == 0 && account == nil { throw Unavailable(description: "running as root and no postgres user to run initdb as") }
        if let account { chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) }
        try Self.run(binaries + "/initdb", ["-D", data, "-U", "patents", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
                     as: account)
        port = try Self.freePort()
        process = Process()
        let postgres = [binaries + "/postgres", "-D", data, "-p", String(port), "-k", directory, "-c", "listen_addresses=127.0.0.1",
                        "-c", "fsync=off", "-c", "max_connections=400"]
        let (program, arguments) = Self.invocation(postgres, as: account)
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        try waitUntilReady()
    }

    /// A database of its own for one test, made empty; its URL.
    public func createDatabase(_ prefix: String = "test") throws -> String {
        let name = prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try Self.run(binaries + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "patents", name], as: nil)
        return url(database: name)
    }

    public func url(database: String) -> String { "postgresql://patents@127.0.0.1:\(port)/\(database)" }

    /// Stops the server (fast shutdown, then SIGKILL after 10 s) and removes its folder.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw Unavailable(description: "postgres exited at start (status \(process.terminationStatus))") }
            if (try? Self.run(binaries + "/pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-U", "patents", "-q"], as: nil)) != nil {
                return
            }
            usleep(100_000)
        }
        stop()
        throw Unavailable(description: "postgres did not answer on port \(port) within 30 s")
    }

    /// The newest `/usr/lib/postgresql/N/bin` holding `initdb`.
    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// The program and arguments that run `command`, as `account` when given: setpriv
    /// replaces itself with the command, so a started server's PID is its own.
    private static func invocation(_ command: [String], as account: UnsafeMutablePointer<passwd>?) -> (String, [String]) {
        guard let account else { return (command[0], Array(command.dropFirst())) }
        return ("/usr/bin/setpriv", ["--reuid=\(account.pointee.pw_uid)", "--regid=\(account.pointee.pw_gid)", "--clear-groups", "--"] + command)
    }

    private static func run(_ executable: String, _ arguments: [String], as account: UnsafeMutablePointer<passwd>?) throws {
        let (program, programArguments) = invocation([executable] + arguments, as: account)
        let result = try runCapturing(program, programArguments)
        guard result.status == 0 else {
            throw Unavailable(description: "\((executable as NSString).lastPathComponent) failed: \(result.errors)")
        }
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Unavailable(description: "cannot open a socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        guard bound == 0 else { throw Unavailable(description: "cannot bind a loopback port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
