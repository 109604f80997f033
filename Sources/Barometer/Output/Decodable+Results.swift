/// Decoding the results whose JSON leaves out what only the computation
/// needed. The JSON they read is exactly what they write (README, "JSON
/// output"), so `encode → decode → encode` gives the same document.
extension ConditionalShare: Decodable {
    /// Decodes a share written by `encode(to:)`. The older duplicate
    /// properties ``designEffect`` and ``designEffectReplace`` are the
    /// without- and with-replacement design effects. `intervalInput` (added
    /// to the JSON so that ``interval(_:level:)`` gives the same intervals
    /// after a round trip) is required.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        variable = try c.decode(String.self, forKey: .variable)
        codes = try c.decode([Double].self, forKey: .codes)
        among = try c.decodeIfPresent(String.self, forKey: .among)
        amongCodes = try c.decodeIfPresent([Double].self, forKey: .amongCodes)
        denominator = try c.decode(Denominator.self, forKey: .denominator)
        base = try c.decode(TableBase.self, forKey: .base)
        weight = try c.decodeIfPresent(String.self, forKey: .weight)
        numeratorCount = try c.decode(Int.self, forKey: .numeratorCount)
        numeratorWeighted = try c.decode(Double.self, forKey: .numeratorWeighted)
        denominatorCount = try c.decode(Int.self, forKey: .denominatorCount)
        denominatorWeighted = try c.decode(Double.self, forKey: .denominatorWeighted)
        estimate = try c.decode(Double.self, forKey: .estimate)
        standardError = try c.decode(Double.self, forKey: .standardError)
        designStandardError = try c.decode(Double.self, forKey: .designStandardError)
        effectiveSize = try c.decode(Double.self, forKey: .effectiveSize)
        weightingDesignEffect = try c.decode(Double.self, forKey: .weightingDesignEffect)
        designEffectWithReplacement = try c.decodeIfPresent(Double.self, forKey: .designEffectWithReplacement)
        designEffectWithoutReplacement = try c.decodeIfPresent(Double.self, forKey: .designEffectWithoutReplacement)
        designEffect = designEffectWithoutReplacement
        designEffectReplace = designEffectWithReplacement
        designEffectNote = try c.decodeIfPresent(String.self, forKey: .designEffectNote)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
        degreesOfFreedom = try c.decode(Double.self, forKey: .degreesOfFreedom)
        interval = try c.decode(ProportionInterval.self, forKey: .interval)
        varianceDescription = try c.decode(String.self, forKey: .varianceDescription)
        intervalInput = try c.decode(ProportionInterval.Input.self, forKey: .intervalInput)
    }
}

extension ContingencyTable: Decodable {
    /// Decodes a table written by `encode(to:)`. The JSON holds every count,
    /// margin and percentage but not the respondent-level indices: a decoded
    /// table has empty ``rowIndex``/``columnIndex`` (and nil ``layerIndex``),
    /// so its design-based tests (``raoScott(_:domain:layer:includeMissing:)``) need the
    /// original table; ``tests(layer:includeMissing:)``, ``association(layer:includeMissing:)`` and
    /// printing work. ``layerCategories`` is rebuilt from the layers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rowVariable = try c.decode(String.self, forKey: .rowVariable)
        rowLabel = try c.decodeIfPresent(String.self, forKey: .rowLabel)
        columnVariable = try c.decode(String.self, forKey: .columnVariable)
        columnLabel = try c.decodeIfPresent(String.self, forKey: .columnLabel)
        layerVariables = try c.decodeIfPresent([String].self, forKey: .layerVariables) ?? []
        rowCategories = try c.decode([Category].self, forKey: .rowCategories)
        columnCategories = try c.decode([Category].self, forKey: .columnCategories)
        weight = try c.decodeIfPresent(String.self, forKey: .weight)
        missing = try c.decode(MissingInclusion.self, forKey: .missing)
        base = try c.decode(TableBase.self, forKey: .base)
        layers = try c.decode([Layer].self, forKey: .layers)
        display = try c.decodeIfPresent(Percentages.self, forKey: .display)
        rowIndex = []
        columnIndex = []
        layerIndex = nil
        // Layer l combines the layer variables' categories with the first varying fastest.
        var perVariable = [[Category]](repeating: [], count: layerVariables.count)
        for layer in layers {
            for (v, category) in layer.categories.enumerated() where v < perVariable.count {
                if !perVariable[v].contains(category) { perVariable[v].append(category) }
            }
        }
        layerCategories = perVariable
    }
}
