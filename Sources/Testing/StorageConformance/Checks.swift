import StorageCore

/// A broken expectation of the suite. The suite throws instead of using a test
/// framework, so that any test runner can call it.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var message: String
    public var location: String

    public var description: String { "\(location): \(message)" }
}

func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) throws {
    guard condition else { throw ConformanceFailure(message: message(), location: "\(file):\(line)") }
}

func expectEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ what: String, file: StaticString = #fileID, line: UInt = #line
) throws {
    try expect(actual == expected, "\(what): expected \(expected), got \(actual)", file: file, line: line)
}

/// Runs `body`, which must fail with a `StorageError` of `kind`; returns it.
@discardableResult
func expectError<T>(
    _ kind: StorageError.Kind, _ what: String, file: StaticString = #fileID, line: UInt = #line,
    _ body: () async throws -> T
) async throws -> StorageError {
    do {
        let value = try await body()
        throw ConformanceFailure(
            message: "\(what): expected a \(kind) error, got \(value)", location: "\(file):\(line)")
    } catch let error as StorageError {
        try expect(
            error.kind == kind, "\(what): expected a \(kind) error, got \(error.kind): \(error)", file: file, line: line
        )
        try expect(!error.message.isEmpty, "\(what): the error has no message", file: file, line: line)
        return error
    }
}

func unwrap<T>(_ value: T?, _ what: String, file: StaticString = #fileID, line: UInt = #line) throws -> T {
    guard let value else { throw ConformanceFailure(message: "\(what): got nil", location: "\(file):\(line)") }
    return value
}
