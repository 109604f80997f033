/// The statistics requested for one two-way table, ready for output: one
/// line per statistic (value, df, ASE₁, ASE₀, T, significance), the
/// adjusted standardized residuals when requested, and every note
/// (dropped rows/columns, small expected counts, measures left undefined).
///
/// This is what `barometer crosstab --stats …` shows; the tests and
/// measures themselves are ``IndependenceTests``, ``FisherExactTest``,
/// ``RaoScottTest`` and ``AssociationMeasures``.
public struct CrosstabStatistics: Sendable, Codable, Equatable, TableRepresentable {
    /// One statistic. Fields that do not apply are nil.
    public struct Line: Sendable, Codable, Equatable {
        /// Name as SPSS labels it, e.g. "Somers' d (column dependent)".
        public let statistic: String
        public let value: Double?
        public let degreesOfFreedom: Double?
        /// Second df of an F statistic.
        public let denominatorDF: Double?
        public let ase1: Double?
        public let ase0: Double?
        public let t: Double?
        /// Significance (p-value).
        public let pValue: Double?
    }

    /// Adjusted standardized residuals over the kept rows and columns.
    public struct Residuals: Sendable, Codable, Equatable {
        public let rowLabels: [String]
        public let columnLabels: [String]
        /// Row-major values.
        public let values: [[Double]]
    }

    /// Heading, e.g. "q1 by q2".
    public let title: String
    /// The statistics, in request order.
    public let lines: [Line]
    /// Residuals when `.residuals` was requested.
    public let residuals: Residuals?
    /// Base, warnings and explanations.
    public let notes: [String]

    /// Computes `statistics` for the r × c `counts`.
    /// - Parameters:
    ///   - counts: weighted or unweighted cell counts (rows × columns).
    ///   - rowLabels, columnLabels: category labels (for residuals), one per
    ///     row/column of `counts`.
    ///   - title: the table heading.
    ///   - statistics: what to compute.
    ///   - rowIndex, columnIndex, weights, domain: the respondent-level
    ///     coding, needed only for `.raoscott` (see ``RaoScottTest``; that
    ///     request also adds the ``AdjustedWaldTest`` line).
    ///   - design: when given, the Rao-Scott and adjusted Wald tests use the
    ///     full design (strata, PSUs, fpc or replicate weights) instead of
    ///     the weights-only design; `weights` may then be omitted.
    /// - Throws: ``BarometerError`` from ``TwoWayCounts`` (1 × k table, empty
    ///   table, bad counts), ``BarometerError/invalidArgument(_:)`` when
    ///   `.raoscott` lacks respondent data or labels do not fit, and the
    ///   Rao-Scott errors. Fisher's test on a table that is not 2 × 2 with
    ///   integer counts is skipped with a note, not an error.
    public init(counts: Matrix, rowLabels: [String], columnLabels: [String], title: String = "",
                statistics: [CrosstabStatistic],
                rowIndex: [Int32]? = nil, columnIndex: [Int32]? = nil,
                weights: Weights? = nil, domain: Domain? = nil, design: SurveyDesign? = nil) throws(BarometerError) {
        guard rowLabels.count == counts.rows, columnLabels.count == counts.columns else {
            throw .invalidArgument("\(rowLabels.count) row and \(columnLabels.count) column labels for a \(counts.rows) × \(counts.columns) table")
        }
        let table = try TwoWayCounts(counts)
        let tests = IndependenceTests(table: table)
        let needsMeasures = statistics.contains { [.phi, .cramer, .cc, .lambda, .gamma, .taub, .tauc, .somers].contains($0) }
        let measures = needsMeasures ? AssociationMeasures(table: table) : nil
        var lines: [Line] = []
        var notes = tests.notes
        var residuals: Residuals? = nil

        func test(_ t: ChiSquareTest) -> Line {
            Line(statistic: t.name, value: t.statistic, degreesOfFreedom: t.degreesOfFreedom, denominatorDF: nil,
                 ase1: nil, ase0: nil, t: nil, pValue: t.pValue)
        }
        func est(_ name: String, _ e: AssociationEstimate?) {
            guard let e else { return }
            lines.append(Line(statistic: name, value: e.value, degreesOfFreedom: nil, denominatorDF: nil,
                              ase1: e.ase1, ase0: e.ase0, t: e.t, pValue: e.pValue))
        }
        func dir(_ name: String, _ d: DirectionalAssociation?) {
            guard let d else { return }
            est("\(name) (symmetric)", d.symmetric)
            est("\(name) (row dependent)", d.rowDependent)
            est("\(name) (column dependent)", d.columnDependent)
        }

        for s in statistics {
            switch s {
            case .chisq: lines.append(test(tests.pearson))
            case .lr: lines.append(test(tests.likelihoodRatio))
            case .fisher:
                if counts.rows == 2 && counts.columns == 2 {
                    do {
                        let f = try FisherExactTest(counts: counts)
                        for (n, p) in [("Fisher's exact test (2-sided)", f.twoSided), ("Fisher's exact test (1-sided, less)", f.less),
                                       ("Fisher's exact test (1-sided, greater)", f.greater)] {
                            lines.append(Line(statistic: n, value: nil, degreesOfFreedom: nil, denominatorDF: nil,
                                              ase1: nil, ase0: nil, t: nil, pValue: p))
                        }
                    } catch {
                        notes.append("Fisher's exact test not computed: \(error)")
                    }
                } else {
                    notes.append("Fisher's exact test is computed for 2 × 2 tables only")
                }
            case .raoscott:
                guard let ri = rowIndex, let ci = columnIndex, let w = design?.weights ?? weights else {
                    throw .invalidArgument("the Rao-Scott tests need the respondents' row and column categories and weights")
                }
                let rs: RaoScottTest
                if let d = design {
                    rs = try RaoScottTest(design: d, rowIndex: ri, rowCount: counts.rows, columnIndex: ci,
                                          columnCount: counts.columns, domain: domain)
                } else {
                    rs = try RaoScottTest(rowIndex: ri, rowCount: counts.rows, columnIndex: ci, columnCount: counts.columns,
                                          weights: w, domain: domain)
                }
                lines.append(test(rs.unadjusted))
                lines.append(test(rs.firstOrder))
                lines.append(test(rs.secondOrder))
                lines.append(Line(statistic: "Rao-Scott F", value: rs.f, degreesOfFreedom: rs.fNumeratorDF,
                                  denominatorDF: rs.fDenominatorDF, ase1: nil, ase0: nil, t: nil, pValue: rs.fPValue))
                do {
                    let aw: AdjustedWaldTest
                    if let d = design {
                        aw = try AdjustedWaldTest(design: d, rowIndex: ri, rowCount: counts.rows, columnIndex: ci,
                                                  columnCount: counts.columns, domain: domain)
                    } else {
                        aw = try AdjustedWaldTest(rowIndex: ri, rowCount: counts.rows, columnIndex: ci,
                                                  columnCount: counts.columns, weights: w, domain: domain)
                    }
                    lines.append(Line(statistic: "Adjusted Wald F", value: aw.f, degreesOfFreedom: aw.numeratorDF,
                                      denominatorDF: aw.denominatorDF, ase1: nil, ase0: nil, t: nil, pValue: aw.pValue))
                } catch {
                    notes.append("Adjusted Wald test not computed: \(error)")
                }
                notes.append("Rao-Scott: mean generalized design effect \(NumberFormat.fixed(rs.meanDesignEffect, 4)); "
                    + "design effects " + rs.designEffects.map { NumberFormat.fixed($0, 4) }.joined(separator: ", ")
                    + "; the unadjusted chi-square is not a valid test under weighting")
                notes += rs.notes.filter { !notes.contains($0) }
            case .phi: est("Phi", measures?.phi)
            case .cramer: est("Cramer's V", measures?.cramersV)
            case .cc: est("Contingency coefficient", measures?.contingencyCoefficient)
            case .lambda:
                dir("Lambda", measures?.lambda)
                est("Goodman and Kruskal tau (row dependent)", measures?.goodmanKruskalTau.rowDependent)
                est("Goodman and Kruskal tau (column dependent)", measures?.goodmanKruskalTau.columnDependent)
            case .gamma: est("Gamma", measures?.gamma)
            case .taub: est("Kendall's tau-b", measures?.kendallTauB)
            case .tauc: est("Kendall's tau-c", measures?.kendallTauC)
            case .somers: dir("Somers' d", measures?.somersD)
            case .residuals:
                let a = tests.adjustedResiduals
                residuals = Residuals(rowLabels: table.rowsKept.map { rowLabels[$0] },
                                      columnLabels: table.columnsKept.map { columnLabels[$0] },
                                      values: a.rowArrays)
            }
        }
        if let m = measures { notes += m.notes }
        if weights?.isWeighted == true {
            notes.append("Weighted counts used as frequencies for chi-square, Fisher and the measures; see Rao-Scott for design-based tests")
        }
        notes.append("ASE1: asymptotic standard error not assuming independence; T uses ASE0 (under independence); Sig. two-sided")
        self.title = title
        self.lines = lines
        self.residuals = residuals
        self.notes = notes
    }

    /// Statistics grid, then residuals (if any) appended as extra rows.
    public var textTable: TextTable {
        func n(_ x: Double?, _ d: Int) -> String { NumberFormat.fixed(x, d) }
        var rows = lines.map { l in
            [l.statistic, n(l.value, 4),
             l.degreesOfFreedom.map { $0 == $0.rounded() ? NumberFormat.fixed($0, 0) : NumberFormat.fixed($0, 3) } ?? "",
             n(l.denominatorDF, 2), n(l.ase1, 4), n(l.ase0, 4), n(l.t, 3), n(l.pValue, 4)]
        }
        if let r = residuals {
            rows.append(["Adjusted residuals"] + [String](repeating: "", count: 7))
            for (i, label) in r.rowLabels.enumerated() {
                let cells = zip(r.columnLabels, r.values[i]).map { "\($0): \(NumberFormat.fixed($1, 2))" }
                rows.append(["  \(label)", cells.joined(separator: "  ")] + [String](repeating: "", count: 6))
            }
        }
        return TextTable(title: title.isEmpty ? "Statistics" : "Statistics: \(title)",
                         headers: ["Statistic", "Value", "df", "df2", "ASE1", "ASE0", "T", "Sig."],
                         rows: rows, notes: notes)
    }
}

/// The statistics table for a cross-tab: the entry point for
/// `barometer crosstab --stats`. See ``CrosstabStatistics`` for the
/// parameters; use that type directly for JSON/CSV output.
public func statisticsTable(counts: Matrix, rowLabels: [String], columnLabels: [String], title: String = "",
                            statistics: [CrosstabStatistic],
                            rowIndex: [Int32]? = nil, columnIndex: [Int32]? = nil,
                            weights: Weights? = nil, domain: Domain? = nil) throws(BarometerError) -> TextTable {
    try CrosstabStatistics(counts: counts, rowLabels: rowLabels, columnLabels: columnLabels, title: title,
                           statistics: statistics, rowIndex: rowIndex, columnIndex: columnIndex,
                           weights: weights, domain: domain).textTable
}
