import ArgumentParser
import Barometer

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the BLAS/LAPACK loaded at run time, its threads, and a quick GFLOP/s figure.")

    @Option(name: .long, help: "Matrix order for the dgemm speed check.") var n: Int = 1000

    func run() throws {
        print("BLAS implementation: \(BLASRuntime.implementation)")
        print("BLAS threads: \(BLASRuntime.threadCount)")
        print("Loaded BLAS/LAPACK libraries:")
        for lib in BLASRuntime.loadedLibraries() { print("  \(lib)") }
        let g = BLASRuntime.measureGemmGFLOPS(n: max(n, 10))
        print("dgemm n=\(n): \(NumberFormat.fixed(g, 1)) GFLOP/s")
    }
}
