import Foundation
import Testing
@testable import Barometer

/// Issue 21: the `barometer` executable runs OpenBLAS's AVX-512 (SkylakeX) kernel where OpenBLAS alone
/// would pick the generic Prescott one, so every correlation path must give the same numbers on every
/// kernel the CPU supports. The same binary runs `corr` and `pcorr` with `OPENBLAS_CORETYPE` set to each
/// kernel (a user's choice is kept, no re-execution) on a file of 20,011 rows: five 4,096-row chunks of
/// `CentredMoments`, so the two row partitions with single-threaded `dsyrk` are used, as at 10⁶ × 200,
/// and 40 columns, wide enough for the kernels' register blocks (SkylakeX 16 × 2 … Prescott 4 × 2 in
/// `dgemm`/`dsyrk`) and their edges. Paths: complete data unweighted (the contiguous fill) and weighted
/// (√w rows), listwise deletion through a row list, pairwise masked products, Spearman (Pearson of
/// ranks), partial correlations given all others (the inverse) and given Z; and the design-based paths
/// whose strata are summed as dense PSU × cell tables through `dsyrk` (a crosstab's Rao-Scott and Wald
/// tests, grouped means, under 10 strata × 40 nested PSUs). Every kernel agrees with
/// Prescott to 1e-12 (p-values 1e-10, as `ThreadEquivalenceTests`), and on every kernel the first four
/// columns equal the exact rational reference of `Fixtures/reference/correlation/make_chunked.py` to
/// 1e-10. Measured on a 2-core AVX-512 Xeon: thousands of entries differ in their last bits between
/// Prescott and SkylakeX, the largest by 1.2e-14 (Spearman, ranks up to 20,011), 1.4e-15 elsewhere.
@Suite(.serialized) struct KernelEquivalenceTests {
    /// x1 … x4: `make_chunked.py`'s columns (same integer formulas, same doubles); x5 … x40: a common
    /// factor plus noise and an offset; `m`: half of x5 plus noise, every 13th value blank; `w`: the reference's weights.
    static let dataFile: String = {
        let ref = try? Fixture.decode(CorrelationChunkedTests.Ref.self, "Fixtures/reference/correlation/chunked.json")
        guard let ref else { return "" }
        var g = CLIRandomizedTests.RNG(state: 21_0021)
        var s = (1...40).map { "x\($0)" }.joined(separator: ",") + ",m,w,st,psu,a,b\n"
        for i in 0..<ref.n {
            let u = Double((i * 7 + 3) % 53) / 53
            var row = (0..<4).map { j in
                Double((i * ref.A[j] + ref.B[j]) % ref.M[j]) / Double(ref.M[j]) + ref.S[j] * u + ref.offset[j]
            }
            let common = g.double() + g.double() + g.double()
            for j in 4..<40 { row.append(0.7 * common + g.double() + Double(j) * 10 + (j % 3 == 0 ? 0.4 * row[j - 1] : 0)) }
            let m = i % 13 == 5 ? "" : "\(0.5 * row[4] + g.double())"
            // 10 strata × 40 nested PSUs of about 50 rows, and a 4 × 5 table of codes: the dense strata's dsyrk.
            let design = ",\(i % 10),\((i / 10) % 40),\((i * 7 + i / 5) % 4 + 1),\((i * 11 + i / 3) % 5 + 1)"
            s += row.map { "\($0)" }.joined(separator: ",") + ",\(m),\(0.5 + Double(i % 7) / 4)" + design + "\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-kernels-\(getpid()).csv").path
        try? s.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    static func xs(_ r: ClosedRange<Int>) -> [String] { r.map { "x\($0)" } }

    static func commands(_ f: String) -> [(name: String, args: [String])] {
        [("corr complete", ["corr", f] + xs(1...40)),
         ("corr complete weighted", ["corr", f] + xs(1...40) + ["--weight", "w"]),
         ("corr listwise", ["corr", f] + xs(1...20) + ["m", "--weight", "w"]),
         ("corr pairwise", ["corr", f] + xs(1...20) + ["m", "--weight", "w", "--pairwise"]),
         ("corr spearman", ["corr", f] + xs(1...12) + ["m", "--method", "spearman"]),
         ("pcorr given others", ["pcorr", f] + xs(1...12)),
         ("pcorr given Z", ["pcorr", f] + xs(1...10) + ["m", "--control", "x11", "x12", "--weight", "w"]),
         ("crosstab Rao-Scott, strata/PSUs", ["crosstab", f, "--rows", "a", "--cols", "b", "--weight", "w", "--strata", "st",
                                              "--psu", "psu", "--nest", "--stats", "raoscott"]),
         ("mean by group, strata/PSUs", ["mean", f, "x1", "x2", "--by", "a", "--weight", "w", "--strata", "st", "--psu", "psu",
                                         "--nest"])]
    }

    /// The OpenBLAS kernels this CPU can run: the generic one and the SIMD ones its feature flags allow.
    static var kernels: [String] {
        let cpu = BLASKernelAdvice.CPUFeatures.current
        var k = ["Prescott"]
        if cpu.avx2 && cpu.fma { k.append(cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell") }
        if cpu.avx512 { k.append("SkylakeX") }
        return k
    }

    @Test func correlationPathsAgreeOnEveryKernel() throws {
        let f = Self.dataFile
        #expect(!f.isEmpty, "chunked.json fixture not readable")
        defer { try? FileManager.default.removeItem(atPath: f) }
        let ref = try Fixture.decode(CorrelationChunkedTests.Ref.self, "Fixtures/reference/correlation/chunked.json")
        #expect(ref.n > 4 * CentredMoments.chunkRows)
        let probe = try BLASEquivalenceTests.run([:])
        guard probe.implementation.contains("OpenBLAS") else {
            Issue.record("the default BLAS is \(probe.implementation), not OpenBLAS: no kernels to compare")
            return
        }
        var outputs: [String: [String: String]] = [:]   // kernel → command → JSON
        for kernel in Self.kernels {
            let env = ["OPENBLAS_CORETYPE": kernel]
            let ran = try BLASEquivalenceTests.run(env).core
            #expect(ran?.lowercased() == kernel.lowercased(), "asked for \(kernel), ran \(ran ?? "no OpenBLAS")")
            for c in Self.commands(f) {
                let r = try CLI.run(c.args + ["--format", "json"], environment: env)
                #expect(r.status == 0 && r.stdout.count > 100, "\(kernel) \(c.name): \(r.stderr)")
                outputs[kernel, default: [:]][c.name] = r.stdout
            }
            // The reference's four columns, on this kernel.
            for (name, expected) in [("corr complete", ref.unweighted), ("corr complete weighted", ref.weighted)] {
                let est = try Self.estimates(outputs[kernel]?[name] ?? "")
                for j in 0..<4 { for k in 0..<4 {
                    #expect(close(est[j][k], expected[j][k], rel: 1e-10), "\(kernel) \(name) [\(j), \(k)]: \(est[j][k]) vs \(expected[j][k])")
                } }
            }
        }
        guard let base = outputs["Prescott"] else { return }
        for kernel in Self.kernels.dropFirst() {
            for c in Self.commands(f) {
                guard let a = base[c.name], let b = outputs[kernel]?[c.name] else { continue }
                let x = try JSONSerialization.jsonObject(with: Data(a.utf8))
                let y = try JSONSerialization.jsonObject(with: Data(b.utf8))
                var worst = (0.0, ""), worstP = (0.0, "")
                ThreadEquivalenceTests.compare(x, y, path: "\(kernel) \(c.name)", worst: &worst, worstP: &worstP)
                #expect(worst.0 <= 1e-12, "\(worst.1): Prescott and \(kernel) differ by \(worst.0) (relative to max(|x|, 1))")
                #expect(worstP.0 <= 1e-10, "\(worstP.1): p-value differs by \(worstP.0) between Prescott and \(kernel)")
            }
        }
    }

    /// The `estimates` matrix of a correlation result printed as JSON (null on the diagonal is 1).
    static func estimates(_ json: String) throws -> [[Double]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let rows = object?["estimates"] as? [[Any]] ?? []
        return rows.map { $0.map { ($0 as? NSNumber)?.doubleValue ?? 1 } }
    }
}
