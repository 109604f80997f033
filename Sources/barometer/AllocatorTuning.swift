#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator settings for the `barometer` process (a batch run over one file).
///
/// The in-memory estimators work through chunks of rows (``Barometer/SurveyDesign``'s
/// 16,384-row chunks: a few estimating columns and an accumulator's temporaries, 0.1–1 MB
/// each), allocated and freed chunk after chunk. With glibc's defaults (a dynamic mmap
/// threshold and a trim threshold of twice it) those blocks kept going back to the kernel
/// and coming back as fresh pages: in a weights-only `mean` of 3 columns on 10⁶ rows, page
/// faults were 36–39 % of the samples, zeroing (`memset`) 15–19 % (`perf`). The executable
/// therefore sets, first thing in `main`, an mmap threshold of 4 MiB (larger blocks, such as a
/// column of 10⁶ values, are still mapped and returned whole when freed, so peak memory does
/// not grow) and a trim threshold of 64 MiB (freed heap memory up to that is kept for the next
/// chunk). Measured (interleaved runs, 10⁶ rows): that `mean` 0.24–0.26 → 0.17–0.18 s wall, a
/// strata/PSU `mean` of 5 columns −2 to −6 %, peak RSS unchanged (±3 MB). Nothing changes when the
/// user set glibc's own variables (`GLIBC_TUNABLES`, `MALLOC_MMAP_THRESHOLD_`,
/// `MALLOC_TRIM_THRESHOLD_`): theirs win. Library users get the same from `GLIBC_TUNABLES=
/// glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=67108864`.
enum AllocatorTuning {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 64 << 20
    /// glibc's own settings; when any is set, the user's choice is kept.
    static let userVariables = ["GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"]

    /// Sets the thresholds (glibc only; elsewhere nothing).
    static func apply() {
        #if canImport(Glibc)
        guard !userVariables.contains(where: { getenv($0) != nil }) else { return }
        // `mallopt` and <malloc.h>'s M_MMAP_THRESHOLD (−3) and M_TRIM_THRESHOLD (−1): not in Swift's Glibc module.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(p, to: Mallopt.self)
        _ = mallopt(-3, mmapThreshold)
        _ = mallopt(-1, trimThreshold)
        #endif
    }
}
