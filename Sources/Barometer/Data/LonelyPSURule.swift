/// What to do with a stratum that has a single PSU, named as R `survey`'s
/// `options(survey.lonely.psu = …)`.
public enum LonelyPSURule: String, Sendable, Codable, CaseIterable {
    /// A typed error (R's default).
    case fail
    /// The stratum contributes nothing to the variance.
    case remove
    /// The PSU is centred at the grand mean instead of its stratum mean
    /// (conservative).
    case adjust
    /// The stratum gets the average variance of the other strata: the sum
    /// over strata with two or more PSUs is scaled by (all strata) / (those strata).
    case average
    /// The PSU was sampled with certainty and contributes nothing.
    case certainty
}
