/// A finished column: numbers (NaN = system-missing) or text.
enum ParsedColumn {
    case numbers([Double])
    case strings([String])
}
