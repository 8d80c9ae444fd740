import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// When the text answer uses emphasis (`--color`).
enum ColorMode: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// On a terminal, unless `NO_COLOR` is set (no-color.org) or `TERM` is `dumb`.
    case auto
    /// Always, even into a pipe or a file.
    case always
    /// Never.
    case never

    /// Whether to color output written to `descriptor` (-1 for a file).
    func enabled(for descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return descriptor >= 0 && isatty(descriptor) == 1
        }
    }
}

/// The width the text answer wraps to.
enum TerminalOutput {
    /// `COLUMNS` when it is set (the user's word wins), else the terminal's width when standard
    /// output is one, else 100 columns; never narrower than 40.
    static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return max(40, columns) }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(40, Int(size.ws_col))
        }
        return 100
    }
}
