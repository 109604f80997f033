import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What BLAS/LAPACK the running process actually loaded, and its threads.
///
/// On Debian the binary records `libblas.so.3` and `liblapack.so.3`; the
/// alternatives system (`update-alternatives --config libblas.so.3-x86_64-linux-gnu`)
/// or `LD_LIBRARY_PATH` decides which implementation is mapped. This type
/// reads `/proc/self/maps` and looks up OpenBLAS's own entry points with
/// `dlsym`, so it reports what is loaded, not what was configured.
public enum BLASRuntime {
    /// Paths of the mapped shared objects whose file name mentions BLAS or
    /// LAPACK (symlinks resolved), in load order.
    public static func loadedLibraries() -> [String] {
        #if os(Linux)
        guard let f = fopen("/proc/self/maps", "r") else { return [] }
        defer { fclose(f) }
        var seen: [String] = []
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), f) != nil {
            let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let slash = s.firstIndex(of: "/") else { continue }
            let path = String(s[slash...]).trimmingWhitespace()
            let file = path.split(separator: "/").last.map(String.init) ?? path
            let lower = file.lowercased()
            guard lower.contains("blas") || lower.contains("lapack")
            else { continue }
            var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let real = realpath(path, &resolved) != nil
                ? String(decoding: resolved.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : path
            let entry = real == path ? path : "\(path) -> \(real)"
            if !seen.contains(entry) { seen.append(entry) }
        }
        return seen
        #else
        return ["Accelerate.framework"]
        #endif
    }

    private typealias GetInt = @convention(c) () -> Int32
    private typealias SetInt = @convention(c) (Int32) -> Void
    private typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
        #else
        return dlsym(UnsafeMutableRawPointer(bitPattern: -2), name)
        #endif
    }

    private typealias Action = @convention(c) () -> Void

    /// Stops OpenBLAS's idle worker threads (`blas_thread_shutdown_`, what OpenBLAS's own
    /// fork handler calls); OpenBLAS starts them again at its next threaded call
    /// (`exec_blas_async` calls `blas_thread_init` when `blas_server_avail` is 0), with
    /// the same thread count, so BLAS results and speed do not change.
    ///
    /// Why: the pthreads build of OpenBLAS starts its workers when the library loads,
    /// before `main`, and each idle worker spins on `sched_yield` for 2²⁸ cycles
    /// (`OPENBLAS_THREAD_TIMEOUT`, about 0.1 s here) before it sleeps. A command that
    /// starts by parsing a CSV file on every core lost one core to that spin for its first
    /// 0.1 s: measured on the 2-core machine, a plain 10⁶-row crosstab took 0.13 s and
    /// 0.22 s of CPU, 0.11 s and 0.13 s with the workers stopped. Call it only while no
    /// other thread is inside BLAS (the CLI calls it first thing in `main`). Does nothing
    /// when the loaded BLAS is not OpenBLAS's pthreads build. Returns whether it stopped them.
    @discardableResult
    package static func parkIdleThreads() -> Bool {
        guard let p = symbol("blas_thread_shutdown_") else { return false }
        unsafeBitCast(p, to: Action.self)()
        return true
    }

    /// OpenBLAS's configuration string (`openblas_get_config`), or nil when
    /// the loaded BLAS is not OpenBLAS.
    public static var openBLASConfig: String? {
        guard let p = symbol("openblas_get_config") else { return nil }
        let f = unsafeBitCast(p, to: GetString.self)
        return f().map { String(cString: $0) }
    }

    /// The implementation in use, judged from the loaded symbols and files.
    public static var implementation: String {
        if let c = openBLASConfig { return "OpenBLAS (\(c))" }
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        let libs = loadedLibraries().joined(separator: " ")
        if libs.contains("blis") { return "BLIS" }
        if libs.contains("mkl") { return "Intel MKL" }
        return "reference BLAS/LAPACK (netlib)"
        #endif
    }

    /// BLAS threads (OpenBLAS `openblas_get_num_threads`; 1 for a
    /// single-threaded implementation).
    public static var threadCount: Int {
        guard let p = symbol("openblas_get_num_threads") else { return 1 }
        return Int(unsafeBitCast(p, to: GetInt.self)())
    }

    /// Sets the BLAS thread count where the implementation allows it
    /// (OpenBLAS). Returns whether it could. Barometer's results do not
    /// depend on it: see the determinism tests.
    @discardableResult
    public static func setThreadCount(_ n: Int) -> Bool {
        guard n >= 1, let p = symbol("openblas_set_num_threads") else { return false }
        unsafeBitCast(p, to: SetInt.self)(Int32(n))
        return true
    }

    /// Runs `body` with the BLAS on one thread (OpenBLAS), for callers that
    /// split their own work over cores and call small BLAS products from
    /// several threads at once. Nested and concurrent sections share one
    /// counter: the first to enter saves the thread count and sets 1, the last
    /// to leave restores it. Other BLAS users in the process run
    /// single-threaded meanwhile (slower, never different: see the
    /// determinism tests). Without OpenBLAS (reference BLAS, Accelerate)
    /// nothing is changed.
    static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        SingleThreadSection.shared.enter()
        defer { SingleThreadSection.shared.leave() }
        return try body()
    }

    /// Rough speed of `dgemm` on an `n × n` problem, in GFLOP/s (2n³ flops,
    /// best of `repeats`).
    public static func measureGemmGFLOPS(n: Int = 1000, repeats: Int = 3) -> Double {
        var a = Matrix(rows: n, columns: n)
        for i in a.storage.indices { a.storage[i] = Double((i &* 2654435761) % 1000) / 1000 }
        var c = Matrix(rows: n, columns: n)
        var best = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let t0 = monotonicSeconds()
            try? LinearAlgebra.gemm(a, a, into: &c)
            best = min(best, monotonicSeconds() - t0)
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }

    /// Seconds on a monotonic clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// The process-wide counter behind ``BLASRuntime/withSingleThreadedBLAS(_:)``.
///
/// With OpenBLAS's workers parked (``BLASRuntime/parkIdleThreads()``, as the CLI does),
/// `openblas_set_num_threads` would start them again (its `goto_set_num_threads` calls
/// `blas_thread_init` whenever `blas_server_avail` is 0), even to set one thread, and each new
/// worker then spins on `sched_yield` for ~0.1 s: a core taken from the section's own workers
/// (measured: the OpenBLAS worker spun 110 ms of a 0.2 s weights-only `mean`). So while they are
/// parked, the section sets OpenBLAS's thread count itself (`blas_cpu_number`, what
/// `goto_set_num_threads` ends by setting), checked through `openblas_get_num_threads`; the
/// workers stay parked until a threaded call needs them. Otherwise, or when the symbols are
/// missing, `openblas_set_num_threads`.
final class SingleThreadSection: @unchecked Sendable {
    /// How the section reads and sets the BLAS thread count (OpenBLAS's, or a test's).
    struct Control: Sendable {
        /// The thread count (`openblas_get_num_threads`).
        var count: @Sendable () -> Int
        /// Sets it the library's way (`openblas_set_num_threads`: starts parked workers).
        var set: @Sendable (Int) -> Void
        /// Whether the workers are parked (`blas_server_avail == 0`).
        var parked: @Sendable () -> Bool
        /// Sets it without starting parked workers; false when that is not possible.
        var setParked: @Sendable (Int) -> Bool

        static let openBLAS = Control(count: { BLASRuntime.threadCount }, set: { BLASRuntime.setThreadCount($0) },
                                      parked: { BLASRuntime.workersParked }, setParked: { BLASRuntime.setThreadCountParked($0) })
    }

    static let shared = SingleThreadSection(.openBLAS)
    private let control: Control
    private let lock = NSLock()
    private var depth = 0
    private var saved = 1
    private var direct = false

    init(_ control: Control) { self.control = control }

    func enter() {
        lock.lock(); defer { lock.unlock() }
        if depth == 0 {
            saved = control.count()
            direct = false
            if saved > 1 {
                if control.parked(), control.setParked(1) { direct = true } else { control.set(1) }
            }
        }
        depth += 1
    }

    func leave() {
        lock.lock(); defer { lock.unlock() }
        depth -= 1
        guard depth == 0 && saved > 1 else { return }
        if direct && control.parked() && control.setParked(saved) { return }
        control.set(saved)
    }
}

extension BLASRuntime {
    /// Whether OpenBLAS's worker threads are parked (its `blas_server_avail` is 0: none
    /// started, or stopped by ``parkIdleThreads()``); false without OpenBLAS's pthreads build.
    static var workersParked: Bool {
        guard let p = symbol("blas_server_avail") else { return false }
        return p.assumingMemoryBound(to: Int32.self).pointee == 0
    }

    /// Sets OpenBLAS's thread count without starting its workers (`blas_cpu_number`), for
    /// ``SingleThreadSection`` while they are parked; true when `openblas_get_num_threads`
    /// then reads `n` (otherwise the old value is put back and nothing changed).
    static func setThreadCountParked(_ n: Int) -> Bool {
        guard n >= 1, let p = symbol("blas_cpu_number") else { return false }
        let count = p.assumingMemoryBound(to: Int32.self), old = count.pointee
        count.pointee = Int32(n)
        if threadCount == n { return true }
        count.pointee = old
        return false
    }
}
