/// A value bound to a statement. Timestamps travel as their text (which both
/// backends read back), booleans as the dialect's SQL literals.
public enum SQLValue: Sendable, Hashable, ExpressibleByNilLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral
{
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(nilLiteral: ()) { self = .null }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }

    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func integer(_ value: Int) -> SQLValue { .integer(Int64(value)) }
    public static func integer(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
    public static func timestamp(_ value: Timestamp?) -> SQLValue { value.map { .text($0.description) } ?? .null }
    /// A list of ids or words as one JSON array, whatever its length; each
    /// dialect's SQL unpacks it.
    public static func list(_ ids: [Int64]) -> SQLValue {
        .text("[" + ids.map(String.init).joined(separator: ",") + "]")
    }
    public static func list(_ words: [String]) -> SQLValue {
        .text("[" + words.map { "\"\($0)\"" }.joined(separator: ",") + "]")
    }
}
