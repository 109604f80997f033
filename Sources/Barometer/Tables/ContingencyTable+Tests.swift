/// Tests and measures straight from a table: the table already holds the
/// counts of every layer and each respondent's row, column and layer
/// category, so none of that is passed again.
///
/// ```swift
/// let table = try ContingencyTable(design, rows: "q_russia", columns: "q_us", missing: .excludeMissing)
/// let rs = try table.raoScott(design)            // svychisq(~q_russia + q_us, design)
/// let chi = try table.tests()                    // Pearson χ², G² on the weighted counts
/// let v = try table.association().cramersV       // SPSS CROSSTABS measures
/// print(try table.statistics([.chisq, .raoscott, .cramer], design: design)[0])
/// ```
///
/// A table does not keep its ``SurveyDesign`` (designs hold the data); the
/// design-based tests take the design the table was made from and, when the
/// table was made on a domain, that same domain. A domain that does not
/// reproduce the table's respondents is an error, so a forgotten domain
/// cannot silently test another population. With layers, `layer` selects
/// the two-way slice; the design-based tests then run on the layer as a
/// domain (within `domain`), as `barometer crosstab --stats` does.
///
/// As `crosstab --stats` (SPSS CROSSTABS, R): tests and measures use the
/// valid answers only (``statisticsInput(layer:includeMissing:)``), even when
/// the table shows Don't know / Refused / system-missing; `includeMissing: true`
/// keeps them as categories.
extension ContingencyTable {
    /// The number of two-way layers (1 without layer variables).
    public var layerCount: Int { layers.count }

    /// The Rao-Scott corrected tests of independence for `layer` under the
    /// full `design` (``RaoScottTest/init(design:rowIndex:rowCount:columnIndex:columnCount:domain:)``,
    /// R `svychisq`).
    /// - Parameters:
    ///   - design: the design the table was computed from.
    ///   - domain: the domain the table was computed on, if any.
    ///   - layer: the layer (0 without layer variables).
    ///   - includeMissing: keep Don't know / Refused / system-missing as categories.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when the design or
    ///   domain does not match the table or `layer` is out of range; the
    ///   errors of ``RaoScottTest``.
    public func raoScott(_ design: SurveyDesign, domain: Domain? = nil, layer: Int = 0,
                         includeMissing: Bool = false) throws(BarometerError) -> RaoScottTest {
        let d = try layerDomain(design, domain: domain, layer: layer)
        let input = statisticsInput(layer: layer, includeMissing: includeMissing)
        return try RaoScottTest(design: design, rowIndex: input.rowIndex, rowCount: input.counts.rows,
                                columnIndex: input.columnIndex, columnCount: input.counts.columns, domain: d)
    }

    /// The adjusted Wald test of independence for `layer` under `design`
    /// (``AdjustedWaldTest``, R `svychisq(..., statistic = "adjWald")`);
    /// parameters and errors as for ``raoScott(_:domain:layer:includeMissing:)``.
    public func adjustedWald(_ design: SurveyDesign, domain: Domain? = nil, layer: Int = 0,
                             includeMissing: Bool = false) throws(BarometerError) -> AdjustedWaldTest {
        let d = try layerDomain(design, domain: domain, layer: layer)
        let input = statisticsInput(layer: layer, includeMissing: includeMissing)
        return try AdjustedWaldTest(design: design, rowIndex: input.rowIndex, rowCount: input.counts.rows,
                                    columnIndex: input.columnIndex, columnCount: input.counts.columns, domain: d)
    }

    /// Pearson's χ² and the likelihood-ratio G² of `layer`'s weighted counts
    /// (``IndependenceTests``: counts taken as frequencies; use
    /// ``raoScott(_:domain:layer:includeMissing:)`` for design-based inference).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a layer out of
    ///   range; the errors of ``TwoWayCounts`` (e.g. fewer than two non-empty rows).
    public func tests(layer: Int = 0, includeMissing: Bool = false) throws(BarometerError) -> IndependenceTests {
        try IndependenceTests(counts: statisticsInput(layer: checkedLayer(layer), includeMissing: includeMissing).counts)
    }

    /// Fisher's exact test of `layer`'s unweighted counts of the valid answers (2 × 2 tables).
    /// - Throws: the errors of ``FisherExactTest`` (a table that is not 2 × 2).
    public func fisherExact(layer: Int = 0) throws(BarometerError) -> FisherExactTest {
        let counts = countMatrix(layer: try checkedLayer(layer))
        let rows = rowCategories.indices.filter { rowCategories[$0].status == .valid }
        let columns = columnCategories.indices.filter { columnCategories[$0].status == .valid }
        return try FisherExactTest(counts: counts.submatrix(rows: rows, columns: columns))
    }

    /// The SPSS CROSSTABS association measures (φ, Cramér's V, λ, τ, γ, τ_b,
    /// τ_c, Somers' d with ASE₁/ASE₀) of `layer`'s weighted counts
    /// (``AssociationMeasures``).
    /// - Throws: as ``tests(layer:includeMissing:)``.
    public func association(layer: Int = 0, includeMissing: Bool = false) throws(BarometerError) -> AssociationMeasures {
        try AssociationMeasures(counts: statisticsInput(layer: checkedLayer(layer), includeMissing: includeMissing).counts)
    }

    /// The requested statistics for every layer, one ``CrosstabStatistics``
    /// per layer, exactly as `barometer crosstab --stats` computes them: on
    /// the weighted counts of the valid answers, with the Rao-Scott and adjusted Wald lines under
    /// `design` (required when `statistics` contains ``CrosstabStatistic/raoscott``).
    /// - Parameters:
    ///   - statistics: what to compute (default: every statistic).
    ///   - design: the design the table was computed from.
    ///   - domain: the domain the table was computed on, if any.
    ///   - includeMissing: keep Don't know / Refused / system-missing as categories.
    ///   - weightsAsFrequencies: also the tests that read weighted counts as frequencies
    ///     (as `crosstab --weights-as-frequencies`).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when `.raoscott` is
    ///   requested without a design or the design/domain does not match the
    ///   table; the errors of ``CrosstabStatistics``.
    public func statistics(_ statistics: [CrosstabStatistic] = CrosstabStatistic.allCases,
                           design: SurveyDesign? = nil, domain: Domain? = nil, includeMissing: Bool = false,
                           weightsAsFrequencies: Bool = false) throws(BarometerError) -> [CrosstabStatistics] {
        if statistics.contains(.raoscott) && design == nil {
            throw .invalidArgument("the Rao-Scott tests of \(rowVariable) × \(columnVariable) need the table's design: statistics(…, design: design)")
        }
        var out: [CrosstabStatistics] = []
        for k in 0..<layerCount {
            var d: Domain? = domain
            if let design { d = try layerDomain(design, domain: domain, layer: k) }
            else if layerIndex != nil { d = try layerMask(domain: domain, layer: k) }
            let titleSuffix = layerIndex == nil ? "" : " (layer \(k + 1))"
            let input = statisticsInput(layer: k, includeMissing: includeMissing)
            var s = try CrosstabStatistics(
                input, title: "\(rowVariable) × \(columnVariable)" + titleSuffix, statistics: statistics,
                domain: d, design: design, weightsAsFrequencies: weightsAsFrequencies)
            if input.excludedMissing {
                s.notes.insert("Tests and measures use the valid answers only (Don't know / Refused / system-missing excluded, "
                               + "as SPSS CROSSTABS and R); the table shows them.", at: 0)
            }
            out.append(s)
        }
        return out
    }

    private func checkedLayer(_ layer: Int) throws(BarometerError) -> Int {
        guard layer >= 0, layer < layerCount else {
            throw .invalidArgument("layer \(layer) of a table with \(layerCount) layer(s)")
        }
        return layer
    }

    /// The layer's respondents as a domain (within `domain`), or `domain` itself without layers.
    private func layerMask(domain: Domain?, layer: Int) throws(BarometerError) -> Domain? {
        _ = try checkedLayer(layer)
        guard let li = layerIndex else { return domain }
        if let domain, domain.mask.count != li.count {
            throw .lengthMismatch(variable: "domain \(domain.description)", expected: li.count, actual: domain.mask.count)
        }
        let mask = li.indices.map { li[$0] == Int32(layer) && (domain?.mask[$0] ?? true) }
        let text = (domain.map { "\($0.description) and " } ?? "") + "layer \(layer + 1)"
        return Domain(mask: mask, description: text)
    }

    /// Checks that `design` and `domain` reproduce the table's respondents,
    /// then gives the domain for `layer`.
    private func layerDomain(_ design: SurveyDesign, domain: Domain?, layer: Int) throws(BarometerError) -> Domain? {
        guard design.rowCount == rowIndex.count else {
            throw .invalidArgument("the design has \(design.rowCount) rows, the table of \(rowVariable) × \(columnVariable) \(rowIndex.count): not the table's design")
        }
        let d = try layerMask(domain: domain, layer: layer)
        // Respondents in the layer with a category on both variables (and positive
        // or zero weight) must be those the table counted.
        var n = 0
        for i in rowIndex.indices where rowIndex[i] >= 0 && columnIndex[i] >= 0 && (d?.mask[i] ?? true) {
            n += 1
        }
        guard n == layers[layer].totalCount else {
            throw .invalidArgument("\(n) respondents of \(rowVariable) × \(columnVariable) are in "
                                   + (domain.map { "domain \($0.description)" } ?? "the whole sample")
                                   + ", but the table counts \(layers[layer].totalCount): pass the domain the table was made on")
        }
        return d
    }
}
