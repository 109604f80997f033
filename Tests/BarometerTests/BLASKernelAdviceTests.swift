import Barometer
import Testing

/// The kernel choice is a pure function of the CPU flags, the kernel
/// OpenBLAS loaded and the environment.
@Suite struct BLASKernelAdviceTests {
    static let avx512 = """
    processor\t: 0
    vendor_id\t: GenuineIntel
    model name\t: Intel(R) Xeon(R) Processor
    flags\t\t: fpu sse sse2 ssse3 fma sse4_1 avx avx2 avx512f avx512dq avx512bw avx512vl

    processor\t: 1
    vendor_id\t: GenuineIntel
    flags\t\t: fpu sse
    """
    static let zen = "vendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: sse avx avx2 fma\n"
    static let old = "vendor_id\t: GenuineIntel\nmodel name\t: Old\nflags\t\t: sse sse2 sse3\n"

    @Test func readsTheFirstProcessorsFlags() {
        let cpu = BLASKernelAdvice.CPUFeatures(cpuinfo: Self.avx512)
        #expect(cpu.model == "Intel(R) Xeon(R) Processor")
        #expect(cpu.avx2 && cpu.fma && cpu.avx512)
        #expect(BLASKernelAdvice.bestCore(for: cpu) == "SkylakeX")
        #expect(BLASKernelAdvice.bestCore(for: .init(cpuinfo: Self.zen)) == "Zen")
        #expect(BLASKernelAdvice.bestCore(for: .init(cpuinfo: Self.old)) == nil)
    }

    @Test func recommendsOnlyOverAGenericFallbackAndNeverOverTheUser() {
        let cpu = BLASKernelAdvice.CPUFeatures(cpuinfo: Self.avx512)
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: "Prescott", environment: [:]).recommendedCore == "SkylakeX")
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: "SkylakeX", environment: [:]).recommendedCore == nil)
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: "Haswell", environment: [:]).recommendedCore == nil)
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"]).recommendedCore == nil)
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: "Prescott", environment: ["BAROMETER_BLAS_CORETYPE": "keep"]).recommendedCore == nil)
        #expect(BLASKernelAdvice.advice(features: cpu, loadedCore: nil, environment: [:]).recommendedCore == nil)
        #expect(BLASKernelAdvice.advice(features: .init(cpuinfo: Self.old), loadedCore: "Prescott", environment: [:]).recommendedCore == nil)
    }

    /// The CLI's start-up shortcut (no `/proc/cpuinfo` unless the loaded kernel is generic) never
    /// skips a recommendation: one is only made over a generic kernel.
    @Test func theGenericKernelShortcutNeverHidesARecommendation() {
        #expect(BLASKernelAdvice.current.recommendedCore == nil || BLASKernelAdvice.loadedCoreIsGeneric)
        for core in BLASKernelAdvice.genericCores {
            #expect(BLASKernelAdvice.advice(features: .init(cpuinfo: Self.avx512), loadedCore: core, environment: [:]).recommendedCore == "SkylakeX")
        }
        for core in ["SkylakeX", "Haswell", "Zen", "CooperLake"] {
            #expect(BLASKernelAdvice.advice(features: .init(cpuinfo: Self.avx512), loadedCore: core, environment: [:]).recommendedCore == nil)
        }
        let padded = BLASKernelAdvice.CPUFeatures(cpuinfo: "vendor_id \t:  AuthenticAMD \t\nmodel name\t:\tAMD EPYC  \nflags\t: avx2 fma\n")
        #expect(padded.vendor == "AuthenticAMD" && padded.model == "AMD EPYC" && padded.avx2 && padded.fma)
    }
}
