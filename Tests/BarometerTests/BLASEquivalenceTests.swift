import Foundation
import Testing
import Barometer

/// The same `barometer` binary on the reference BLAS/LAPACK (netlib, via
/// LD_LIBRARY_PATH) and on OpenBLAS (Debian's alternatives default), and on
/// 1 and 2 OpenBLAS threads, gives the same numbers to 1e-12 relative
/// (relative to each quantity's own scale).
@Suite struct BLASEquivalenceTests {
    struct Check: Decodable { let implementation: String; let core: String?; let threads: Int; let values: [String: [Double]] }

    static let referenceDirs = ["/usr/lib/x86_64-linux-gnu/blas", "/usr/lib/x86_64-linux-gnu/lapack"]

    static func run(_ env: [String: String]) throws -> Check {
        let r = try CLI.run(["doctor", "--selfcheck"], environment: env)
        #expect(r.status == 0)
        return try JSONDecoder().decode(Check.self, from: Data(r.stdout.utf8))
    }

    static func compare(_ a: Check, _ b: Check) {
        #expect(Set(a.values.keys) == Set(b.values.keys))
        for (key, xs) in a.values {
            guard let ys = b.values[key] else { continue }
            #expect(xs.count == ys.count)
            let scale = max(xs.map(abs).max() ?? 0, ys.map(abs).max() ?? 0)
            var worst = 0.0
            for (x, y) in zip(xs, ys) { worst = max(worst, abs(x - y) / max(scale, .leastNormalMagnitude)) }
            #expect(worst <= 1e-12, "\(key): max difference \(worst) of scale \(scale) between \(a.implementation) and \(b.implementation)")
        }
    }

    @Test func referenceBLASAndOpenBLASAgree() throws {
        guard Self.referenceDirs.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
            Issue.record("reference BLAS/LAPACK not installed (libblas-dev, liblapack-dev)")
            return
        }
        let openblas = try Self.run([:])
        let reference = try Self.run(["LD_LIBRARY_PATH": Self.referenceDirs.joined(separator: ":")])
        #expect(reference.implementation.contains("reference"))
        #expect(openblas.implementation.contains("OpenBLAS"), "default BLAS is \(openblas.implementation); is libopenblas0-pthread installed?")
        Self.compare(openblas, reference)
    }

    /// Every OpenBLAS kernel this CPU can run (the generic Prescott one, and
    /// Haswell / Zen / SkylakeX where the feature flags allow) agrees with the
    /// reference BLAS to 1e-12: the kernel `barometer` picks by itself is safe.
    @Test func everyKernelTheCPUSupportsAgreesWithReference() throws {
        guard Self.referenceDirs.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
            Issue.record("reference BLAS/LAPACK not installed (libblas-dev, liblapack-dev)")
            return
        }
        let cpu = BLASKernelAdvice.CPUFeatures.current
        var kernels = ["Prescott"]
        if cpu.avx2 && cpu.fma { kernels.append(cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell") }
        if cpu.avx512 { kernels.append("SkylakeX") }
        let reference = try Self.run(["LD_LIBRARY_PATH": Self.referenceDirs.joined(separator: ":")])
        for kernel in kernels {
            let check = try Self.run(["OPENBLAS_CORETYPE": kernel])
            #expect(check.core?.lowercased() == kernel.lowercased(), "asked for \(kernel), ran \(check.core ?? "no OpenBLAS")")
            Self.compare(check, reference)
        }
        // Without a user choice, the binary runs the kernel the advice names (or OpenBLAS's own SIMD choice).
        let chosen = try Self.run([:])
        if let best = BLASKernelAdvice.bestCore(for: cpu) {
            #expect(!BLASKernelAdvice.genericCores.contains(chosen.core?.lowercased() ?? ""), "default run used \(chosen.core ?? "?") on a CPU fit for \(best)")
        }
    }

    @Test func oneAndTwoThreadsAgree() throws {
        let one = try Self.run(["OPENBLAS_NUM_THREADS": "1"])
        let two = try Self.run(["OPENBLAS_NUM_THREADS": "2"])
        #expect(one.threads == 1)
        #expect(two.threads >= 1)
        Self.compare(one, two)
    }
}
