import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which OpenBLAS compute kernel this CPU deserves, and whether the loaded
/// library is running a worse one.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (Debian's) picks its kernel from the
/// CPU's model number. Virtual CPUs often report a model it does not know
/// ("Intel(R) Xeon(R) Processor"), and OpenBLAS 0.3.21 then falls back to the
/// generic **Prescott** (SSE3) kernel even when the CPU has AVX2/FMA or
/// AVX-512: dgemm runs 4–6× below the machine. The kernel can only be chosen
/// before the library initializes, through the environment variable
/// `OPENBLAS_CORETYPE`; the `barometer` executable therefore re-executes
/// itself once with it set (see ``advice(features:loadedCore:environment:)``),
/// and library users set it in their own launch environment.
///
/// The choice follows the CPU's feature flags, never its model name:
/// AVX-512 F/DQ/BW/VL → `SkylakeX`; AVX2 + FMA → `Haswell` (Intel) or `Zen`
/// (AMD). A user's own `OPENBLAS_CORETYPE`, or `BAROMETER_BLAS_CORETYPE=keep`,
/// is always respected. Results under every kernel agree with the reference
/// BLAS to 1e-12 (the BLAS-equivalence tests run each kernel the CPU supports).
public struct BLASKernelAdvice: Sendable, Equatable, Codable {
    /// The CPU, as the kernel choice sees it.
    public struct CPUFeatures: Sendable, Equatable, Codable {
        /// `model name` from `/proc/cpuinfo` (empty when unknown).
        public var model: String
        /// `vendor_id` (`GenuineIntel`, `AuthenticAMD`, …).
        public var vendor: String
        /// Whether the CPU reports the `avx2` flag (needed, with FMA, by the `Haswell` and `Zen` kernels).
        public var avx2: Bool
        /// Whether the CPU reports the `fma` flag (fused multiply-add; needed, with AVX2, by the `Haswell` and `Zen` kernels).
        public var fma: Bool
        /// AVX-512 F, DQ, BW and VL together (what OpenBLAS's SkylakeX kernel needs).
        public var avx512: Bool

        /// Features given explicitly (tests, or a CPU described by hand).
        /// - Parameters:
        ///   - model: `model name` from `/proc/cpuinfo` (empty when unknown).
        ///   - vendor: `vendor_id` (`GenuineIntel`, `AuthenticAMD`, …).
        ///   - avx2: Whether AVX2 is available.
        ///   - fma: Whether FMA is available.
        ///   - avx512: Whether AVX-512 F, DQ, BW and VL are all available.
        public init(model: String, vendor: String, avx2: Bool, fma: Bool, avx512: Bool) {
            self.model = model; self.vendor = vendor; self.avx2 = avx2; self.fma = fma; self.avx512 = avx512
        }

        /// Parsed from the text of `/proc/cpuinfo` (first processor).
        public init(cpuinfo text: String) {
            var model = "", vendor = "", flags: Set<Substring> = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.allSatisfy(\.isWhitespace) { if flags.isEmpty { continue } else { break } }  // end of the first processor
                guard let colon = line.firstIndex(of: ":") else { continue }
                // (Standard-library trimming: Foundation's `trimmingCharacters` bridges through `NSString`,
                // whose first use instantiates generic metadata, at every start of the CLI on a generic kernel.)
                let key = String(line[..<colon]).trimmingWhitespace()
                let value = String(line[line.index(after: colon)...]).trimmingWhitespace()
                switch key {
                case "model name" where model.isEmpty: model = value
                case "vendor_id" where vendor.isEmpty: vendor = value
                case "flags" where flags.isEmpty: flags = Set(value.split(separator: " "))
                default: break
                }
            }
            self.init(model: model, vendor: vendor, avx2: flags.contains("avx2"), fma: flags.contains("fma"),
                      avx512: ["avx512f", "avx512dq", "avx512bw", "avx512vl"].allSatisfy { flags.contains(Substring($0)) })
        }

        /// This machine's CPU (Linux: `/proc/cpuinfo`; elsewhere nothing known).
        public static var current: CPUFeatures {
            #if os(Linux)
            if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) { return CPUFeatures(cpuinfo: text) }
            #endif
            return CPUFeatures(model: "", vendor: "", avx2: false, fma: false, avx512: false)
        }

        /// Short list of the features that matter, e.g. `AVX2 FMA AVX-512`.
        public var summary: String {
            let f = [avx2 ? "AVX2" : nil, fma ? "FMA" : nil, avx512 ? "AVX-512" : nil].compactMap { $0 }
            return f.isEmpty ? "no AVX2/FMA/AVX-512" : f.joined(separator: " ")
        }
    }

    /// The CPU.
    public let cpu: CPUFeatures
    /// The kernel OpenBLAS reports (`openblas_get_corename`), nil without OpenBLAS.
    public let loadedCore: String?
    /// The kernel to run with, when it differs from the loaded one and the user has not chosen.
    public let recommendedCore: String?
    /// Why: one sentence for `barometer doctor`.
    public let reason: String

    /// Generic OpenBLAS kernels that a CPU with AVX2/FMA or AVX-512 should not be running.
    public static let genericCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "katmai",
                                                   "coppermine", "northwood", "banias", "atom", "opteron", "barcelona",
                                                   "bobcat", "generic", "sandybridge"]

    /// The best OpenBLAS kernel for `cpu`, or nil when no SIMD kernel applies.
    public static func bestCore(for cpu: CPUFeatures) -> String? {
        if cpu.avx512 { return "SkylakeX" }
        if cpu.avx2 && cpu.fma { return cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell" }
        return nil
    }

    /// The advice for a process that loaded `loadedCore` on `cpu` with `environment`.
    /// No recommendation when the user set `OPENBLAS_CORETYPE` or
    /// `BAROMETER_BLAS_CORETYPE=keep`, when the BLAS is not OpenBLAS, or when the
    /// loaded kernel is already a SIMD one.
    public static func advice(features cpu: CPUFeatures, loadedCore: String?,
                              environment: [String: String]) -> BLASKernelAdvice {
        func make(_ core: String?, _ why: String) -> BLASKernelAdvice {
            BLASKernelAdvice(cpu: cpu, loadedCore: loadedCore, recommendedCore: core, reason: why)
        }
        guard let loaded = loadedCore else { return make(nil, "the loaded BLAS is not OpenBLAS; nothing to choose") }
        if let user = environment["OPENBLAS_CORETYPE"], !user.isEmpty {
            return make(nil, "OPENBLAS_CORETYPE=\(user) was set in the environment; kept as given")
        }
        if environment["BAROMETER_BLAS_CORETYPE"]?.lowercased() == "keep" {
            return make(nil, "BAROMETER_BLAS_CORETYPE=keep: OpenBLAS's own choice is kept")
        }
        guard let best = bestCore(for: cpu) else {
            return make(nil, "the CPU has \(cpu.summary): OpenBLAS's own choice (\(loaded)) is kept")
        }
        guard genericCores.contains(loaded.lowercased()) else {
            return make(nil, "OpenBLAS chose \(loaded) itself, a SIMD kernel for this CPU (\(cpu.summary))")
        }
        return make(best, "OpenBLAS fell back to the generic \(loaded) kernel on a CPU with \(cpu.summary); \(best) uses them")
    }

    /// Whether OpenBLAS is loaded with one of the ``genericCores``: the only case in which
    /// ``current`` can recommend a kernel. One `dlsym`, no `/proc/cpuinfo` (the CLI asks this
    /// first at every start).
    public static var loadedCoreIsGeneric: Bool {
        BLASRuntime.openBLASCoreName.map { genericCores.contains($0.lowercased()) } ?? false
    }

    /// The advice for this process.
    public static var current: BLASKernelAdvice {
        advice(features: .current, loadedCore: BLASRuntime.openBLASCoreName, environment: ProcessInfo.processInfo.environment)
    }
}

extension BLASRuntime {
    private typealias GetName = @convention(c) () -> UnsafePointer<CChar>?

    /// The compute kernel OpenBLAS selected (`openblas_get_corename`, e.g.
    /// `Prescott`, `Haswell`, `SkylakeX`), or nil when the BLAS is not OpenBLAS.
    public static var openBLASCoreName: String? {
        #if os(Linux)
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "openblas_get_corename") else { return nil }
        #else
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: -2), "openblas_get_corename") else { return nil }
        #endif
        return unsafeBitCast(p, to: GetName.self)().map { String(cString: $0) }
    }
}
