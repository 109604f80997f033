/// A directional measure in its three SPSS forms: symmetric, with the row
/// variable dependent (R|C) and with the column variable dependent (C|R).
public struct DirectionalAssociation: Sendable, Equatable, Codable {
    /// Symmetric form.
    public let symmetric: AssociationEstimate
    /// Row variable dependent (predicting the row from the column), R|C.
    public let rowDependent: AssociationEstimate
    /// Column variable dependent (predicting the column from the row), C|R.
    public let columnDependent: AssociationEstimate
}
