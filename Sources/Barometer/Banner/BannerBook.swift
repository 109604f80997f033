/// A banner book: one table per stub question, its categories (or mean) in
/// the rows against the banner's columns (Total and the categories of each
/// banner variable), with column percentages, bases, and the letters of the
/// columns each cell is significantly higher than.
///
/// **Estimates.** A column percentage is the domain proportion
/// `Σ_{col ∩ row} w / Σ_{col ∩ base} w`, a mean `Σ w y / Σ w` over the
/// column's base; each column is a domain of the design (every row stays in
/// it), and all columns of one banner variable come from one grouped call of
/// the design engine (``RatioOfTotals``), which also gives their k × k design
/// covariance (R `svyby(~I(y == r), ~x, design, svymean, covmat = TRUE)`).
///
/// **Tests** (within each banner variable, every pair of columns a, b):
/// - ``BannerSpecification/Test/design``: `d = p_a − p_b`,
///   `SE = √(V_aa + V_bb − 2 V_ab)` from that covariance (R `svycontrast`),
///   `t = d / SE` on the design degrees of freedom of the table's base
///   (R `degf(subset(design, base))`), two-sided p;
/// - ``BannerSpecification/Test/spss``: SPSS Custom Tables' column
///   proportions test with effective bases `n_e = (Σw)²/Σw²`:
///   `p̄ = (n_a p_a + n_b p_b)/(n_a + n_b)`,
///   `z = (p_a − p_b)/√(p̄(1 − p̄)(1/n_a + 1/n_b))`, two-sided normal p
///   (proportions only).
///
/// p-values are adjusted within a row's family (the pairs of one banner
/// variable) by ``BannerSpecification/Resolved/adjust``. A pair is not tested
/// when either column is empty, when the columns overlap (a net and one of
/// its categories), or when the SE is zero (both proportions 0 or 1); such
/// pairs carry a nil p-value. Rows for DK/Refused/system-missing (base
/// ``BannerSpecification/Base/all``) are shown and never tested.
public struct BannerBook: Sendable, Codable, Equatable {
    /// One column of the banner.
    public struct Column: Sendable, Codable, Equatable {
        /// The banner variable (nil for Total).
        public let variable: String?
        /// The column heading: the category's value label, or the net's label.
        public let label: String
        /// Codes the column takes (empty for Total).
        public let codes: [Double]
        /// Its letter (empty for Total, which is not compared).
        public let letter: String
        /// Index of its banner variable (nil for Total).
        public let group: Int?
    }

    /// One cell: the estimate, its SE, and the letters of the columns it is higher than.
    public struct Cell: Sendable, Codable, Equatable {
        /// Column percentage (0–100) or mean; nil for an empty column.
        public let value: Double?
        /// Design standard error of `value` (same units).
        public let standardError: Double?
        /// Letters of the columns this cell is significantly higher than, upper case
        /// at the strictest level, lower case at a looser one.
        public let letters: String
    }

    /// One row of a table.
    public struct Row: Sendable, Codable, Equatable {
        /// What a row shows.
        public enum Kind: String, Sendable, Codable {
            /// A valid category's column percentage.
            case category
            /// A net (a set of categories) as one column percentage.
            case net
            /// A Don't know / Refused / system-missing row (with `--base all`; never tested).
            case missing
            /// The mean of a numeric stub variable.
            case mean
        }
        /// The row's label: the category's value label, the net's label, or the variable for a mean.
        public let label: String
        /// What the row shows.
        public let kind: Kind
        /// One cell per column of ``BannerBook/columns``.
        public let cells: [Cell]
    }

    /// One compared pair of columns in one row.
    public struct Comparison: Sendable, Codable, Equatable {
        /// Row index in ``Table/rows``.
        public let row: Int
        /// Column indices (into ``BannerBook/columns``): the difference is `a − b`.
        public let columnA: Int
        /// The second column of the pair.
        public let columnB: Int
        /// Difference in the cell units (percentage points or mean units).
        public let difference: Double
        /// SE of the difference: design-based with the columns' covariance (R `svycontrast`), or
        /// SPSS's pooled-proportion SE on effective bases; nil when undefined.
        public let standardError: Double?
        /// t (design) or z (SPSS).
        public let statistic: Double?
        /// Degrees of freedom of t (nil for the normal z).
        public let degreesOfFreedom: Double?
        /// Two-sided p-value of the difference.
        public let pValue: Double?
        /// The p-value after the book's multiplicity adjustment within the row's banner variable.
        public let adjustedPValue: Double?
        /// Why the pair was not tested (nil when it was).
        public let untested: String?
    }

    /// Bases of one column for one table.
    public struct Bases: Sendable, Codable, Equatable {
        /// Respondents in the column and the table's base.
        public let unweighted: Int
        /// Σw of those respondents.
        public let weighted: Double
        /// Kish's effective base (Σw)²/Σw².
        public let effective: Double
    }

    /// One stub question's table.
    public struct Table: Sendable, Codable, Equatable {
        /// The stub entry's variable.
        public let variable: String
        /// The question's label (its name when unlabelled).
        public let title: String
        /// The rows (categories, nets, a mean, and missing rows with `--base all`).
        public let rows: [Row]
        /// Bases per column.
        public let bases: [Bases]
        /// Every compared pair of columns in every row (tested or with the reason it was not).
        public let comparisons: [Comparison]
        /// Degrees of freedom of the design tests (R `degf` of the base).
        public let degreesOfFreedom: Double
        /// Base rule in words.
        public let base: String
    }

    /// Total, then each banner variable's categories and nets.
    public let columns: [Column]
    /// One table per stub entry, in specification order.
    public let tables: [Table]
    /// The column test: design-based t, SPSS's z, or none.
    public let test: BannerSpecification.Test
    /// Significance levels of the letters: upper case at the strictest, lower case at a looser one.
    public let levels: [Double]
    /// Multiplicity adjustment within a row's banner variable.
    public let adjust: PValueAdjustment
    /// The weight variable, nil when unweighted.
    public let weight: String?
    /// How variances were computed.
    public let variance: String
    /// The domain of the whole book ("all respondents" when none).
    public let domain: String
}
