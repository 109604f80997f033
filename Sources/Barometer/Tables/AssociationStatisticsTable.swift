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
        /// The statistic's value (χ², F, or the measure of association).
        public let value: Double?
        /// Degrees of freedom of a χ² statistic, or the first (numerator) df of an F statistic.
        public let degreesOfFreedom: Double?
        /// Second df of an F statistic.
        public let denominatorDF: Double?
        /// ASE₁, the non-null asymptotic standard error of a measure (see `AssociationEstimate`).
        public let ase1: Double?
        /// ASE₀, the standard error of a measure under independence.
        public let ase0: Double?
        /// Approximate T = value / ASE₀.
        public let t: Double?
        /// Significance (p-value).
        public let pValue: Double?
    }

    /// Adjusted standardized residuals over the kept rows and columns.
    public struct Residuals: Sendable, Codable, Equatable {
        /// Labels of the rows kept (rows with a zero margin dropped).
        public let rowLabels: [String]
        /// Labels of the columns kept (columns with a zero margin dropped).
        public let columnLabels: [String]
        /// Row-major values.
        public let values: [[Double]]
    }

    /// Heading, e.g. "q1 by q2".
    public let title: String
    /// The statistics: the design-based tests first (under sampling weights
    /// or a complex design), then the others in request order. No two lines
    /// share a name.
    public let lines: [Line]
    /// Residuals when `.residuals` was requested.
    public let residuals: Residuals?
    /// Expected counts under independence when `.expected` was requested
    /// (same layout as ``residuals``).
    public var expectedCounts: Residuals? = nil
    /// Base, warnings and explanations.
    public var notes: [String]

    /// Label appended to the tests that treat weights as frequencies
    /// (SPSS `/COUNT ASIS`) when sampling weights or a design are in use.
    public static let weightsAsFrequenciesLabel = "(weights as frequencies, SPSS)"

    /// Computes `statistics` for the r × c `counts`.
    ///
    /// Which test is shown, and first (README "Cross-tabs"):
    /// - unweighted simple random sample: Pearson χ² (`chisq`), G² (`lr`),
    ///   Fisher, as SPSS CROSSTABS;
    /// - sampling weights or a complex design: `chisq` and `raoscott` give the
    ///   design-based tests of R `svychisq` — the Rao-Scott F (R's default,
    ///   first line), the adjusted and unadjusted Wald F, the first- and
    ///   second-order corrected χ² and the unadjusted X² of the weighted
    ///   table (no p-value: not a test under weighting). Pearson/G²/Fisher on
    ///   weights-as-frequencies appear only with `weightsAsFrequencies`,
    ///   labelled ``weightsAsFrequenciesLabel``.
    /// - Parameters:
    ///   - counts: weighted or unweighted cell counts (rows × columns).
    ///   - rowLabels: row category labels (for residuals), one per row of `counts`.
    ///   - columnLabels: column category labels, one per column of `counts`.
    ///   - title: the table heading.
    ///   - statistics: what to compute.
    ///   - rowIndex: the respondents' row categories (−1: excluded), needed
    ///     for the design-based tests (see ``RaoScottTest``).
    ///   - columnIndex: the respondents' column categories (−1: excluded).
    ///   - weights: the weights of a weights-only design.
    ///   - domain: the subpopulation the table is on.
    ///   - design: when given, the design-based tests use the full design
    ///     (strata, PSUs, fpc or replicate weights) instead of the
    ///     weights-only design; `weights` may then be omitted.
    ///   - weightsAsFrequencies: also show SPSS's weights-as-frequencies
    ///     Pearson χ², G² and Fisher test under sampling weights.
    /// - Throws: ``BarometerError`` from ``TwoWayCounts`` (1 × k table, empty
    ///   table, bad counts), ``BarometerError/invalidArgument(_:)`` when a
    ///   design-based test lacks respondent data or labels do not fit, and the
    ///   Rao-Scott errors. Fisher's test on a table that is not 2 × 2 with
    ///   integer counts is skipped with a note, not an error.
    public init(counts: Matrix, rowLabels: [String], columnLabels: [String], title: String = "",
                statistics: [CrosstabStatistic],
                rowIndex: [Int32]? = nil, columnIndex: [Int32]? = nil,
                weights: Weights? = nil, domain: Domain? = nil, design: SurveyDesign? = nil,
                weightsAsFrequencies: Bool = false) throws(BarometerError) {
        try self.init(counts: counts, rowLabels: rowLabels, columnLabels: columnLabels, title: title, statistics: statistics,
                      rowIndex: rowIndex, columnIndex: columnIndex, weights: weights, domain: domain, design: design,
                      weightsAsFrequencies: weightsAsFrequencies, accumulated: nil)
    }

    /// Computes `statistics` for one layer of a ``ContingencyTable``
    /// (``ContingencyTable/statisticsInput(layer:includeMissing:)``), as
    /// ``init(counts:rowLabels:columnLabels:title:statistics:rowIndex:columnIndex:weights:domain:design:weightsAsFrequencies:)``
    /// with the input's counts, labels and respondent categories. The design-based tests take
    /// the cells' sums from the table (the same sums: the table's tally, in row order) and only
    /// find each respondent's cell. `domain` must be the layer's respondents within the
    /// table's domain, which the callers guarantee (`crosstab --stats`, and
    /// ``ContingencyTable/statistics(_:design:domain:includeMissing:weightsAsFrequencies:)``,
    /// which checks the domain against the table); as a safety net, when the respondents with
    /// a cell do not number the table's, the cells are tallied again.
    /// - Throws: as the counts-based initializer.
    package init(_ input: ContingencyTable.StatisticsInput, title: String = "", statistics: [CrosstabStatistic],
                weights: Weights? = nil, domain: Domain? = nil, design: SurveyDesign? = nil,
                weightsAsFrequencies: Bool = false) throws(BarometerError) {
        try self.init(counts: input.counts, rowLabels: input.rowLabels, columnLabels: input.columnLabels, title: title,
                      statistics: statistics, rowIndex: input.rowIndex, columnIndex: input.columnIndex, weights: weights,
                      domain: domain, design: design, weightsAsFrequencies: weightsAsFrequencies, accumulated: nil,
                      tallied: input.tally)
    }

    /// The same, with the design-based tests from accumulated cells
    /// (``DesignCellTotalsAccumulator`` of merged partial states) instead of
    /// the respondents' rows.
    init(counts: Matrix, rowLabels: [String], columnLabels: [String], title: String = "",
         statistics: [CrosstabStatistic], rowIndex: [Int32]?, columnIndex: [Int32]?,
         weights: Weights?, domain: Domain?, design: SurveyDesign?, weightsAsFrequencies: Bool,
         accumulated: (cells: DesignCells, parts: DesignParts, designBased: Bool)?,
         tallied: CellTally? = nil) throws(BarometerError) {
        guard rowLabels.count == counts.rows, columnLabels.count == counts.columns else {
            throw .invalidArgument("\(rowLabels.count) row and \(columnLabels.count) column labels for a \(counts.rows) × \(counts.columns) table")
        }
        let table = try TwoWayCounts(counts)
        let tests = IndependenceTests(table: table)
        let needsMeasures = statistics.contains { [.phi, .cramer, .cc, .lambda, .gamma, .taub, .tauc, .somers, .tschuprow].contains($0) }
        let measures = needsMeasures ? AssociationMeasures(table: table) : nil
        let designBased: Bool
        if let a = accumulated {
            designBased = a.designBased
        } else if let d = design {
            designBased = d.weights.isWeighted || d.replicates != nil || d.sampling.psuCount != d.rowCount
                || d.sampling.strataCount > 1 || d.sampling.populationPSUs != nil
        } else {
            designBased = weights?.isWeighted == true
        }
        let freqLabel = designBased ? " " + Self.weightsAsFrequenciesLabel : ""
        // Without the respondents' categories no design-based test can be computed: the
        // weights-as-frequencies tests are then shown, labelled, with a note.
        let noDesignTest = designBased && !weightsAsFrequencies && !statistics.contains(.raoscott)
            && (rowIndex == nil || columnIndex == nil) && accumulated == nil
        let showFrequencyTests = !designBased || weightsAsFrequencies || noDesignTest
        var designLines: [Line] = []
        var lines: [Line] = []
        var notes = tests.notes
        var residuals: Residuals? = nil
        var expectedCounts: Residuals? = nil

        func test(_ t: ChiSquareTest, _ name: String? = nil) -> Line {
            Line(statistic: name ?? t.name, value: t.statistic, degreesOfFreedom: t.degreesOfFreedom, denominatorDF: nil,
                 ase1: nil, ase0: nil, t: nil, pValue: t.pValue)
        }
        // Under weights the measures' values come from the weighted table; their ASE, T and
        // significance treat weights as frequencies, so they are shown (labelled) only on request.
        func est(_ name: String, _ e: AssociationEstimate?) {
            guard let e else { return }
            if designBased && !weightsAsFrequencies {
                lines.append(Line(statistic: name, value: e.value, degreesOfFreedom: nil, denominatorDF: nil,
                                  ase1: nil, ase0: nil, t: nil, pValue: nil))
            } else {
                lines.append(Line(statistic: name + freqLabel, value: e.value, degreesOfFreedom: nil, denominatorDF: nil,
                                  ase1: e.ase1, ase0: e.ase0, t: e.t, pValue: e.pValue))
            }
        }
        func value(_ name: String, _ v: Double?) {
            guard let v else { return }
            lines.append(Line(statistic: name, value: v, degreesOfFreedom: nil, denominatorDF: nil,
                              ase1: nil, ase0: nil, t: nil, pValue: nil))
        }
        func dir(_ name: String, _ d: DirectionalAssociation?) {
            guard let d else { return }
            est("\(name) (symmetric)", d.symmetric)
            est("\(name) (row dependent)", d.rowDependent)
            est("\(name) (column dependent)", d.columnDependent)
        }
        func kept(_ m: Matrix) -> Residuals {
            Residuals(rowLabels: table.rowsKept.map { rowLabels[$0] }, columnLabels: table.columnsKept.map { columnLabels[$0] },
                      values: m.rowArrays)
        }

        // The design-based tests: requested by `raoscott`, and by `chisq` under weights or a design.
        let respondentData = (rowIndex != nil && columnIndex != nil && (design != nil || weights != nil)) || accumulated != nil
        if statistics.contains(.raoscott) || (designBased && statistics.contains(.chisq) && respondentData) {
            let cells: DesignCells, parts: DesignParts
            if let a = accumulated {
                (cells, parts) = (a.cells, a.parts)
            } else {
                guard let ri = rowIndex, let ci = columnIndex, let w = design?.weights ?? weights else {
                    throw .invalidArgument("the Rao-Scott tests need the respondents' row and column categories and weights")
                }
                parts = design.map { DesignParts.full($0) } ?? .weightsOnly(w)
                cells = try DesignCells(rowIndex: ri, rowCount: counts.rows, columnIndex: ci, columnCount: counts.columns,
                                        weights: w, domain: domain, tallied: tallied)
            }
            // BLAS single-threaded through both tests (the covariance's dense strata, the eigenvalues,
            // the Wald solve): one section, so OpenBLAS's workers are not restarted between them.
            let tests: Result<(RaoScottTest, Result<AdjustedWaldTest, BarometerError>), BarometerError>
                = BLASRuntime.withSingleThreadedBLAS {
                    Result { () throws(BarometerError) in
                        let rs = try RaoScottTest(cells: cells, domain: domain, parts: parts, covariance: nil)
                        return (rs, Result { () throws(BarometerError) in
                            try AdjustedWaldTest(cells: cells, domain: domain, parts: parts, covariance: rs.cellCovariance)
                        })
                    }
                }
            let (rs, wald) = try tests.get()
            designLines.append(Line(statistic: "Rao-Scott F", value: rs.f, degreesOfFreedom: rs.fNumeratorDF,
                                    denominatorDF: rs.fDenominatorDF, ase1: nil, ase0: nil, t: nil, pValue: rs.fPValue))
            do {
                let aw = try wald.get()
                designLines.append(Line(statistic: "Adjusted Wald F", value: aw.f, degreesOfFreedom: aw.numeratorDF,
                                        denominatorDF: aw.denominatorDF, ase1: nil, ase0: nil, t: nil, pValue: aw.pValue))
                designLines.append(Line(statistic: "Wald F (unadjusted)", value: aw.unadjustedF, degreesOfFreedom: aw.numeratorDF,
                                        denominatorDF: aw.unadjustedDenominatorDF, ase1: nil, ase0: nil, t: nil,
                                        pValue: aw.unadjustedPValue))
            } catch {
                notes.append("Wald tests not computed: \(error)")
            }
            designLines.append(test(rs.secondOrder))
            designLines.append(test(rs.firstOrder))
            designLines.append(Line(statistic: "Pearson X² of the weighted table (unadjusted, not a test)", value: rs.unadjusted.statistic,
                                    degreesOfFreedom: rs.unadjusted.degreesOfFreedom, denominatorDF: nil,
                                    ase1: nil, ase0: nil, t: nil, pValue: nil))
            notes.append("Rao-Scott F (R svychisq's default) is the design-based test; mean generalized design effect "
                + "\(NumberFormat.fixed(rs.meanDesignEffect, 4)); design effects "
                + (rs.designEffects.count <= 12
                    ? rs.designEffects.map { NumberFormat.fixed($0, 4) }.joined(separator: ", ")
                    : rs.designEffects.prefix(10).map { NumberFormat.fixed($0, 4) }.joined(separator: ", ")
                        + ", …, \(NumberFormat.fixed(rs.designEffects.last, 4)) (largest 10 and the smallest of \(rs.designEffects.count))")
                + "; the unadjusted X² is not a valid test under weighting and carries no p-value")
            notes += rs.notes.filter { !notes.contains($0) }
        }

        var skippedFrequency: [String] = []
        for s in statistics {
            switch s {
            case .chisq:
                if showFrequencyTests { lines.append(test(tests.pearson, tests.pearson.name + freqLabel)) }
            case .lr:
                if showFrequencyTests { lines.append(test(tests.likelihoodRatio, tests.likelihoodRatio.name + freqLabel)) }
                else { skippedFrequency.append("likelihood ratio") }
            case .fisher:
                if !showFrequencyTests { skippedFrequency.append("Fisher's exact test"); continue }
                if counts.rows == 2 && counts.columns == 2 {
                    do {
                        let f = try FisherExactTest(counts: counts)
                        for (n, p) in [("Fisher's exact test (2-sided)", f.twoSided), ("Fisher's exact test (1-sided, less)", f.less),
                                       ("Fisher's exact test (1-sided, greater)", f.greater)] {
                            lines.append(Line(statistic: n + freqLabel, value: nil, degreesOfFreedom: nil, denominatorDF: nil,
                                              ase1: nil, ase0: nil, t: nil, pValue: p))
                        }
                    } catch {
                        notes.append("Fisher's exact test not computed: \(error)")
                    }
                } else {
                    notes.append("Fisher's exact test is computed for 2 × 2 tables only")
                }
            case .raoscott: break
            case .phi: est("Phi", measures?.phi)
            case .cramer: est("Cramer's V", measures?.cramersV)
            case .cc: est("Contingency coefficient", measures?.contingencyCoefficient)
            case .tschuprow: est("Tschuprow's T", measures?.tschuprowsT)
            case .lambda:
                dir("Lambda", measures?.lambda)
                est("Goodman and Kruskal tau (row dependent)", measures?.goodmanKruskalTau.rowDependent)
                est("Goodman and Kruskal tau (column dependent)", measures?.goodmanKruskalTau.columnDependent)
            case .gamma: est("Gamma", measures?.gamma)
            case .taub: est("Kendall's tau-b", measures?.kendallTauB)
            case .tauc: est("Kendall's tau-c", measures?.kendallTauC)
            case .somers: dir("Somers' d", measures?.somersD)
            case .residuals: residuals = kept(tests.adjustedResiduals)
            case .expected: expectedCounts = kept(tests.expected)
            }
        }
        if let m = measures, statistics.contains(where: { [.gamma, .taub, .tauc, .somers].contains($0) }) {
            value("Concordant pairs", m.concordantPairs)
            value("Discordant pairs", m.discordantPairs)
        }
        if !skippedFrequency.isEmpty {
            notes.append("Not shown under sampling weights: \(skippedFrequency.joined(separator: ", ")) (treats weights as frequencies); "
                + "ask for it with weightsAsFrequencies (CLI --weights-as-frequencies)")
        }
        if noDesignTest && statistics.contains(where: { [.chisq, .lr, .fisher].contains($0) }) {
            notes.append("No design-based test without the respondents' categories: the tests shown treat weights as frequencies")
        }
        if let m = measures { notes += m.notes }
        if designBased && needsMeasures && !weightsAsFrequencies {
            notes.append("Measures of association: values from the weighted table; their ASE, T and significance treat weights "
                + "as frequencies and are shown only with weightsAsFrequencies (CLI --weights-as-frequencies); the design-based test is Rao-Scott")
        }
        if designBased && (weightsAsFrequencies || noDesignTest) {
            notes.append("Lines labelled \(Self.weightsAsFrequenciesLabel) use the weighted counts as frequencies (SPSS /COUNT ASIS): "
                + "not valid under sampling weights; the design-based test is Rao-Scott")
        }
        if !designBased || weightsAsFrequencies || !needsMeasures {
            notes.append("ASE1: asymptotic standard error not assuming independence; T uses ASE0 (under independence); Sig. two-sided")
        }
        // One line per name: the first (design-based lines come first).
        var seen = Set<String>()
        self.lines = (designLines + lines).filter { seen.insert($0.statistic).inserted }
        self.title = title
        self.residuals = residuals
        self.expectedCounts = expectedCounts
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
        for (heading, grid) in [("Adjusted residuals", residuals), ("Expected counts", expectedCounts)] {
            guard let r = grid else { continue }
            rows.append([heading] + [String](repeating: "", count: 7))
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
