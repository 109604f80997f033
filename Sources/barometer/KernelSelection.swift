import Barometer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the CLI on the OpenBLAS kernel the CPU deserves.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library initializes, which
/// is before any Swift code of the process runs. When ``BLASKernelAdvice``
/// recommends a kernel (OpenBLAS fell back to a generic one on a CPU with
/// AVX2/FMA or AVX-512, and the user chose none), the executable sets the
/// variable and replaces itself once with `execv` of `/proc/self/exe` and the
/// same arguments; `BAROMETER_BLAS_REEXEC` (holding the kernel OpenBLAS had
/// picked) prevents a second round and lets `doctor` explain the choice. If
/// `execv` fails, the process goes on with the loaded kernel.
enum KernelSelection {
    static let marker = "BAROMETER_BLAS_REEXEC"

    static func reexecIfNeeded() {
        #if os(Linux)
        guard getenv(marker) == nil else { return }
        let advice = BLASKernelAdvice.current
        guard let core = advice.recommendedCore else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(marker, advice.loadedCore ?? "", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")   // exec failed: carry on as loaded
        unsetenv(marker)
        #endif
    }

    /// What `doctor` says about the kernel: the CPU, the kernel running, who chose it and why, how to override.
    static func report() -> [String] {
        let env = ProcessInfo.processInfo.environment
        let cpu = BLASKernelAdvice.CPUFeatures.current
        var lines = ["CPU: \(cpu.model.isEmpty ? "unknown" : cpu.model) (\(cpu.vendor.isEmpty ? "vendor unknown" : cpu.vendor); \(cpu.summary))"]
        guard let core = BLASRuntime.openBLASCoreName else {
            lines.append("BLAS kernel: not OpenBLAS, nothing to choose")
            return lines
        }
        if let original = env[marker] {
            lines.append("BLAS kernel: \(core), chosen by barometer (OpenBLAS alone picked \(original.isEmpty ? "a generic kernel" : original), a generic kernel that leaves \(cpu.summary) unused)")
        } else {
            lines.append("BLAS kernel: \(core); \(BLASKernelAdvice.current.reason)")
        }
        lines.append("Override: OPENBLAS_CORETYPE=<kernel> (e.g. Prescott, Haswell, SkylakeX) runs that kernel; BAROMETER_BLAS_CORETYPE=keep keeps OpenBLAS's own choice")
        return lines
    }
}
