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

    static func reexecIfNeeded(_ arguments: [String] = CommandLine.arguments) {
        #if os(Linux)
        // A SIMD kernel already loaded (or no OpenBLAS): nothing to advise, so no /proc/cpuinfo to read.
        guard getenv(marker) == nil, usesLevel3BLAS(arguments), BLASKernelAdvice.loadedCoreIsGeneric else { return }
        let advice = BLASKernelAdvice.current
        guard let core = advice.recommendedCore else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(marker, advice.loadedCore ?? "", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")   // exec failed: carry on as loaded
        unsetenv(marker)
        #endif
    }

    /// Whether the command can spend its time in level-3 BLAS, where the kernel
    /// matters. `merge` (sums of a few states) and `partial` of a table,
    /// response set or design totals do not: re-executing would double their
    /// process start-up (measured 0.2 s of 0.4 s per process here), which is
    /// most of the cost of many small shards (8 shards + merge on 2 cores).
    /// Nor do `mean`, `total` and `ratio` without groups or calibration (the
    /// second start-up was about 5% of a 0.34 s strata/PSU mean of 10⁶ rows).
    static func usesLevel3BLAS(_ arguments: [String]) -> Bool {
        let words = arguments.dropFirst().filter { !$0.hasPrefix("-") }
        guard let command = words.first else { return true }
        switch command {
        case "merge": return false
        case "partial": return words.dropFirst().first == "corr"
        case "mean", "total", "ratio":
            // One pass of `DesignTotalsAccumulator` (its own replicate products, no BLAS) and a
            // k × k covariance; groups (--by) and calibration (--targets) take other paths.
            let options = arguments.dropFirst()
            return options.contains { $0 == "--by" || $0.hasPrefix("--by=") || $0 == "--targets" || $0.hasPrefix("--targets=") }
        default: return true
        }
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
