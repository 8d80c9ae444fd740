/// Reads a holiday calendar file (`precert-calendar: 1`) from its YAML tree.
enum CalendarLoader {
    /// Builds the calendar, or reports every problem at its place.
    static func load(_ root: YAMLNode) -> (HolidayCalendar?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var model = CalendarFileModel(unknownKeys: [])
        let pairs = root.mapping ?? []
        func texts(_ node: YAMLNode) -> [String] { node.sequence?.compactMap(\.scalar) ?? node.scalar.map { [$0] } ?? [] }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            switch key {
            case "precert-calendar": model.format = pair.value.scalar
            case "calendar": model.calendar = pair.value.scalar
            case "title": model.title = pair.value.scalar
            case "sources": model.sources = texts(pair.value)
            case "weekend": model.weekend = texts(pair.value)
            case "holidays":
                model.holidays = (pair.value.sequence ?? []).map { item in
                    var holiday = CalendarFileModel.Holiday(unknownKeys: [])
                    for field in item.mapping ?? [] {
                        let value = field.value.scalar
                        switch field.key.scalar ?? "" {
                        case "name": holiday.name = value
                        case "date": holiday.date = value
                        case "observed": holiday.observed = value
                        case "nth": holiday.nth = value
                        case "weekday": holiday.weekday = value
                        case "last": holiday.last = value
                        case "month": holiday.month = value
                        case "on": holiday.on = value
                        case "from": holiday.from = value
                        case "until": holiday.until = value
                        case "because": holiday.because = value
                        default: holiday.unknownKeys.append(field.key.scalar ?? "")
                        }
                    }
                    return holiday
                }
            default:
                model.unknownKeys.append(key)
            }
        }
        do {
            return (try HolidayCalendar(file: model), diagnostics)
        } catch {
            for problem in error.errors {
                diagnostics.append(
                    .error("calendar.invalid", problem.message, at: locate(problem.path, in: root), hint: problem.hint))
            }
        }
        return (nil, diagnostics)
    }

    /// The node a calendar error's path leads to, as far as it exists.
    private static func locate(_ path: [CalendarFileError.PathComponent], in root: YAMLNode) -> SourceRange {
        var node = root
        for component in path {
            switch component {
            case .key(let key):
                if let pair = node.mapping?.first(where: { $0.key.scalar == key }) {
                    node = pair.value
                } else {
                    return node.range
                }
            case .index(let index):
                guard let items = node.sequence, items.indices.contains(index) else { return node.range }
                node = items[index]
            }
        }
        return node.range
    }
}
