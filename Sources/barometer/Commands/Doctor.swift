import ArgumentParser
import Barometer
import BarometerIO

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the BLAS/LAPACK loaded at run time, its threads, and a quick GFLOP/s figure.",
        discussion: """
        Debian's alternatives choose the BLAS at run time (OpenBLAS when libopenblas0-pthread is \
        installed). To run on the reference libraries instead:
          LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas:/usr/lib/x86_64-linux-gnu/lapack barometer doctor
        --selfcheck prints a fixed numerical battery as JSON so that two runs (two BLAS libraries, \
        or OPENBLAS_NUM_THREADS=1 and 2) can be compared.
        """)

    @Option(name: .long, help: "Matrix order for the dgemm speed check.") var n: Int = 1000
    @Flag(name: .long, help: "Print the numerical self-check battery as JSON instead.") var selfcheck = false

    func run() throws {
        if selfcheck {
            print(try OutputFormat.renderJSON(try SelfCheck.run()))
            return
        }
        print("BLAS implementation: \(BLASRuntime.implementation)")
        print("BLAS threads: \(BLASRuntime.threadCount)")
        for line in KernelSelection.report() { print(line) }
        print("Loaded BLAS/LAPACK libraries:")
        for lib in BLASRuntime.loadedLibraries() { print("  \(lib)") }
        let g = BLASRuntime.measureGemmGFLOPS(n: max(n, 10))
        print("dgemm n=\(n): \(NumberFormat.fixed(g, 1)) GFLOP/s")
    }
}

/// A deterministic battery over every BLAS/LAPACK path the engine uses.
struct SelfCheck: Encodable {
    let implementation: String
    let core: String?
    let threads: Int
    let libraries: [String]
    let values: [String: [Double]]

    static func run() throws -> SelfCheck {
        // Deterministic pseudo-random data (64-bit LCG), offset like survey codes.
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let n = 3000, p = 40
        var x = Matrix(rows: n, columns: p)
        for j in 0..<p { for i in 0..<n { x[i, j] = Double(j) + next() + 0.3 * (j > 0 ? x[i, j - 1] : 0) } }
        var values: [String: [Double]] = [:]
        let gram = try LinearAlgebra.gram(x)
        values["syrk"] = gram.storage
        var centred = x
        for j in 0..<p {
            var m = 0.0
            for i in 0..<n { m += x[i, j] }
            m /= Double(n)
            for i in 0..<n { centred[i, j] -= m }
        }
        let cov = try LinearAlgebra.gram(centred)
        values["gemm"] = try LinearAlgebra.multiply(x, centred, transposeA: true).storage
        values["gemv"] = try LinearAlgebra.gemv(x, [Double](repeating: 1, count: n), transpose: true)
        values["cholesky"] = try LinearAlgebra.cholesky(cov).upper.storage
        values["inverse"] = try LinearAlgebra.inverseSPD(cov).storage
        values["solve"] = try LinearAlgebra.cholesky(cov).solve(Matrix(rows: p, columns: 1, repeating: 1)).storage
        values["eigenvalues"] = try LinearAlgebra.symmetricEigen(cov).values
        values["singularValues"] = try LinearAlgebra.singularValues(x)
        values["qrLeastSquares"] = try LinearAlgebra.qr(x).leastSquares(Array(x.storage[((p - 1) * n)..<(p * n)]))
        // The engines on top: correlation, partial-correlation and pairwise matrices.
        var vars: [Variable] = []
        for j in 0..<p {
            var col = Array(x.storage[(j * n)..<((j + 1) * n)])
            if j % 3 == 1 { for i in stride(from: j, to: n, by: 17) { col[i] = .nan } }
            vars.append(Variable(name: "x\(j + 1)", level: .scale, values: col))
        }
        let w = (0..<n).map { _ in 0.5 + next() }
        vars.append(Variable(name: "w", level: .scale, values: w))
        vars.append(Variable(name: "b", values: (0..<n).map { _ in next() < 0.4 ? 1 : 0 }))
        let design = try SurveyDesign(data: Dataset(variables: vars), weight: "w")
        let names = (1...p).map { "x\($0)" }
        values["pearson"] = try Correlation.matrix(design, variables: names).estimates.flatMap { $0.map { $0 ?? -999 } }
        values["pairwise"] = try Correlation.matrix(design, variables: names, options: .init(missing: .pairwise)).estimates.flatMap { $0.map { $0 ?? -999 } }
        values["partialGivenOthers"] = try Correlation.partialMatrixGivenOthers(design, variables: Array(names.prefix(12))).estimates.flatMap { $0.map { $0 ?? -999 } }
        values["partialGivenZ"] = try Correlation.partialMatrix(design, variables: Array(names.prefix(10)), controlling: ["x11", "x12"]).estimates.flatMap { $0.map { $0 ?? -999 } }
        let dc = try design.correlation("x1", "x2", controlling: ["x3"])
        values["designCorrelation"] = [dc.estimate, dc.standardError]
        let logit = try design.glm("b ~ x1 + x3 + x4:x5", family: .binomial)
        values["glm"] = logit.coefficients.flatMap { [$0.estimate, $0.standardError] }
        return SelfCheck(implementation: BLASRuntime.implementation, core: BLASRuntime.openBLASCoreName, threads: BLASRuntime.threadCount,
                         libraries: BLASRuntime.loadedLibraries(), values: values)
    }
}
