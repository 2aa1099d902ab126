import Synchronization

/// An index held in memory (tests, tools): files are byte arrays, committed at once.
public final class MemoryDirectory: IndexDirectory {
    private let files: Mutex<[String: [UInt8]]>

    public init(files: [String: [UInt8]] = [:]) { self.files = Mutex(files) }

    public var description: String { "(index in memory)" }

    /// Every file and its bytes.
    public var allFiles: [String: [UInt8]] { files.withLock { $0 } }

    public func fileNames() throws -> [String] { files.withLock { Array($0.keys) } }

    public func contents(of name: String) throws -> [UInt8]? { files.withLock { $0[name] } }

    public func open(_ name: String) throws -> any IndexInput {
        guard let bytes = files.withLock({ $0[name] }) else { throw IndexError.io("cannot open \(name): no such file") }
        return try MemoryFile(name: name, bytes: bytes)
    }

    public func create(_ name: String) throws -> any OutputTarget {
        MemoryOutput(write: {}, commit: { [self] bytes, beforeRename in
            beforeRename()
            files.withLock { $0[name] = bytes }
        })
    }

    public func remove(_ name: String) throws { _ = files.withLock { $0.removeValue(forKey: name) } }

    public func sync() throws {}

    public func identity(of name: String) -> String? { nil }
}

/// An in-memory directory that tells what the process sees from what a crash would
/// leave, and can fail at any one of its file operations — for durability tests.
///
/// Operations are counted: creating a file, each piece written, making a file's bytes
/// durable, renaming it into place, making the folder's names durable, removing a file.
/// With `failingAt: n` the n-th operation (from 1) and every later one throw, as if the
/// process had died there. `crashed()` is what a restart finds: the files as of the
/// last time the folder's names were made durable (a commit's last step, or `sync`) —
/// a file renamed or removed since, and anything unsynced, is gone or back.
public final class FaultInjectingDirectory: IndexDirectory {
    private struct State {
        var visible: [String: [UInt8]]
        var durable: [String: [UInt8]]
        var operations = 0
        var failingAt: Int?
        var failed = false
    }

    private let state: Mutex<State>

    public init(files: [String: [UInt8]] = [:], failingAt operation: Int? = nil) {
        state = Mutex(State(visible: files, durable: files, failingAt: operation))
    }

    public var description: String { "(index in memory, faults injected)" }

    /// Operations performed so far (the failing one included).
    public var operations: Int { state.withLock { $0.operations } }

    /// Whether an injected fault has happened.
    public var failed: Bool { state.withLock { $0.failed } }

    /// What a process restarted after a crash at this moment would find.
    public func crashed() -> MemoryDirectory { MemoryDirectory(files: state.withLock { $0.durable }) }

    private func step(_ what: String, _ change: (inout State) -> Void = { _ in }) throws {
        try state.withLock { (state: inout State) throws(IndexError) in
            state.operations += 1
            if state.failed || state.failingAt.map({ state.operations >= $0 }) == true {
                state.failed = true
                throw IndexError.io("injected fault at operation \(state.operations) (\(what))")
            }
            change(&state)
        }
    }

    public func fileNames() throws -> [String] { state.withLock { Array($0.visible.keys) } }

    public func contents(of name: String) throws -> [UInt8]? { state.withLock { $0.visible[name] } }

    public func open(_ name: String) throws -> any IndexInput {
        guard let bytes = state.withLock({ $0.visible[name] }) else { throw IndexError.io("cannot open \(name): no such file") }
        return try MemoryFile(name: name, bytes: bytes)
    }

    public func create(_ name: String) throws -> any OutputTarget {
        try step("create \(name)")
        return MemoryOutput(write: { [self] in try step("write \(name)") }, commit: { [self] bytes, beforeRename in
            try step("flush \(name)")
            beforeRename()
            try step("rename \(name)") { $0.visible[name] = bytes }
            try step("sync folder") { $0.durable = $0.visible }
        })
    }

    public func remove(_ name: String) throws {
        try step("remove \(name)") { _ = $0.visible.removeValue(forKey: name) }
    }

    public func sync() throws {
        try step("sync folder") { $0.durable = $0.visible }
    }

    public func identity(of name: String) -> String? { nil }
}

/// A file of a memory directory opened for reading: a copy of its bytes.
private final class MemoryFile: IndexInput, @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer

    init(name: String, bytes source: [UInt8]) throws {
        guard !source.isEmpty else { throw IndexError.corrupt("\(name) is empty") }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
        copy.copyBytes(from: source)
        bytes = UnsafeRawBufferPointer(copy)
    }

    deinit { bytes.deallocate() }

    func releasePages() {}
}

/// A new file of a memory directory: its bytes gathered, handed over at commit.
private final class MemoryOutput: OutputTarget {
    private var bytes: [UInt8] = []
    private let onWrite: () throws -> Void
    private let onCommit: ([UInt8], () -> Void) throws -> Void

    init(write: @escaping () throws -> Void, commit: @escaping ([UInt8], () -> Void) throws -> Void) {
        onWrite = write
        onCommit = commit
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        try onWrite()
        bytes.append(contentsOf: raw)
    }

    func commit(beforeRename: () -> Void) throws { try onCommit(bytes, beforeRename) }

    func abandon() { bytes = [] }
}
