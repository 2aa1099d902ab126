/// FuzzDriver: starts libFuzzer from a Swift `main`. SwiftPM links every executable with
/// its own entry point, so the fuzz targets cannot use libFuzzer's `main`; they call its
/// driver instead, which parses libFuzzer's usual flags (`-runs`, `-dict`, corpus folders).

/// What libFuzzer calls with each input.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func llvmFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: FuzzTarget) -> CInt

/// Runs libFuzzer on `target` with this process's arguments; returns its exit status.
public func runFuzzer(_ target: FuzzTarget) -> CInt {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    return llvmFuzzerRunDriver(&argc, &argv, target)
}
