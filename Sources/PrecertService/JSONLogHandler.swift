import Foundation
import Logging
import Precert

/// A swift-log handler that writes one JSON object per line to standard error: `time`, `level`,
/// `logger`, `message`, then the metadata as strings. Log collectors (Loki, CloudWatch, Fluent Bit)
/// read it as is. The service never puts a case's content in a log message or its metadata.
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// The least severe level written.
    public var logLevel: Logger.Level
    /// Metadata added to every record.
    public var metadata: Logger.Metadata = [:]
    /// Where lines go (standard error unless a test gives another sink).
    private let sink: @Sendable ([UInt8]) -> Void

    /// A handler writing to standard error.
    public init(label: String, level: Logger.Level) {
        self.init(label: label, level: level) { line in
            line.withUnsafeBytes { raw in _ = write(STDERR_FILENO, raw.baseAddress, raw.count) }
        }
    }

    /// A handler writing each line (with its line end) to `sink`.
    init(label: String, level: Logger.Level, sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    /// One metadata entry.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one record as a JSON line.
    public func log(event: LogEvent) {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        writer.key("time")
        writer.string(AuditRecord.timestamp(Date()))
        writer.key("level")
        writer.string(event.level.rawValue)
        writer.key("logger")
        writer.string(label)
        writer.key("message")
        writer.string(event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            writer.key(key)
            writer.string(merged[key]!.description)
        }
        writer.endObject()
        var line = writer.bytes
        line.append(UInt8(ascii: "\n"))
        sink(line)
    }
}
