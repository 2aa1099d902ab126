/// PatentTestSupport: helpers the test targets share (deterministic randomness,
/// scratch folders). Linked by tests only, never by the product.
import Foundation

@_exported import struct PatentCorpus.SplitMix64

/// A new empty folder under the system's temporary directory.
public func temporaryDirectory(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("patents-\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The `patents` executable built next to the running test bundle.
public var builtPatentsBinary: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("patents").path
}

/// Runs `patents ARGUMENTS…` to completion; a non-zero exit status is an error.
public func runPatents(_ arguments: [String], environment: [String: String] = [:]) throws {
    let process = try startPatents(arguments, environment: environment)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "patents \(arguments) exited \(process.terminationStatus)"])
    }
}

/// Starts `patents ARGUMENTS…` with `environment` added to this process's; output is discarded.
public func startPatents(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtPatentsBinary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Sends SIGKILL, as a crash would, and waits: true when the process was still running,
/// that is, when the kill (not an exit of its own) ended it.
public func killLanded(_ process: Process) -> Bool {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
}

/// The Python of the test helpers (`make venv`: openpyxl, snowballstemmer, patsnap-pythonsdk, …).
public let testPython = ProcessInfo.processInfo.environment["PATENTS_PYTHON"] ?? ".build/venv/bin/python"

/// Runs a Python program with `input` on its standard input and returns its standard
/// output; a non-zero exit status is an error that carries the program's standard error.
public func runPython(_ program: String, input: Data = Data()) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: testPython)
    process.arguments = ["-c", program]
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Write on another thread: a large input and a large output must not deadlock the pipes.
    let writer = Thread {
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey:
            "\(testPython) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))"])
    }
    return output
}

/// Values a test collects from closures that may run on other threads, in arrival order.
public final class RecordedValues<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Value] = []

    public init() {}

    public func append(_ value: Value) { lock.withLock { recorded.append(value) } }

    public var values: [Value] { lock.withLock { recorded } }
}

/// `count` strings of 0 to `maxLength` characters drawn from `alphabet`, the same for the
/// same `seed` (inputs for tests comparing a fast path with the plain one).
public func randomStrings(_ count: Int, from alphabet: String, maxLength: Int, seed: UInt64) -> [String] {
    var random = SplitMix64(state: seed)
    let characters = Array(alphabet)
    return (0..<count).map { _ in
        String((0..<Int(random.next() % UInt64(maxLength + 1))).map { _ in characters[Int(random.next() % UInt64(characters.count))] })
    }
}

/// A program that exited with a failure.
public struct ProgramFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a program and returns its standard output; a non-zero exit throws with what it
/// wrote to standard error.
public func run(_ executable: String, _ arguments: [String]) throws -> String {
    let result = try runCapturing(executable, arguments)
    guard result.status == 0 else {
        throw ProgramFailure(description: "\(executable) \(arguments) exited \(result.status): " + result.errors)
    }
    return result.output
}

/// Runs a program to its end: its exit status, and what it wrote to standard output and
/// to standard error.
public func runCapturing(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let problems = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: problems, as: UTF8.self))
}

/// A one-page PDF with one line of text in Helvetica (what an office's original might
/// be), readable by pdftotext.
public func minimalPDF(text: String) -> [UInt8] {
    let stream = "BT /F1 12 Tf 72 720 Td (\(text)) Tj ET"
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (index, body) in objects.enumerated() {
        offsets.append(out.utf8.count)
        out += "\(index + 1) 0 obj\n\(body)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for offset in offsets {
        let digits = String(offset)
        out += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
    }
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Array(out.utf8)
}
