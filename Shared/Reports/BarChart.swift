import Foundation
import Plot

/// A bar chart drawn as inline SVG: no script and nothing fetched, so the
/// page that holds it is whole on its own, on screen and printed. Each bar
/// carries its value as a tooltip and the numbers are also in the page's
/// tables, for a reader who cannot see the chart.
public struct BarChart: Sendable {
    /// One series of values, a value a category.
    public struct Series: Sendable {
        public var name: String
        public var values: [Int]

        public init(name: String, values: [Int]) {
            self.name = name
            self.values = values
        }
    }

    public enum Layout: Sendable {
        /// The series stacked in one bar a category, the total written above it.
        case stacked
        /// A bar a series side by side in each category.
        case grouped
        /// One bar a category, laid across and centred, each narrower than the one before: a funnel.
        case funnel
    }

    public var title: String
    public var categories: [String]
    public var series: [Series]
    public var layout: Layout
    /// How a value is written (a count, or pence as pounds).
    public var valueText: @Sendable (Int) -> String
    /// A level drawn across the chart, such as a target, with its label.
    public var reference: (value: Int, label: String)?

    public init(
        title: String, categories: [String], series: [Series], layout: Layout, reference: (value: Int, label: String)? = nil,
        valueText: @escaping @Sendable (Int) -> String = { "\($0)" }
    ) {
        self.title = title
        self.categories = categories
        self.series = series
        self.layout = layout
        self.reference = reference
        self.valueText = valueText
    }

    /// Okabe and Ito's colours, told apart with any colour vision.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    public var node: Node<HTML.BodyContext> {
        switch layout {
        case .stacked, .grouped: columns
        case .funnel: funnel
        }
    }

    private static let plotHeight = 220.0
    private static let top = 44.0
    private static let left = 12.0

    private var columns: Node<HTML.BodyContext> {
        let perCategory = layout == .stacked ? 1 : max(series.count, 1)
        let barWidth = layout == .stacked ? 40.0 : 18.0
        let slot = max(72.0, Double(perCategory) * barWidth + 24)
        // Wide enough for the title and a row of the legend however few the bars.
        let width = max(Self.left * 2 + slot * Double(max(categories.count, 1)), 560)
        let height = Self.top + Self.plotHeight + 40 + 22 * Double((series.count + 2) / 3)
        let largest = categories.indices.map { category in
            layout == .stacked ? series.reduce(0) { $0 + $1.values[category] } : series.map { $0.values[category] }.max() ?? 0
        }.max() ?? 0
        let scale = Double(max(largest, reference?.value ?? 0, 1))
        let baseline = Self.top + Self.plotHeight
        var shapes: [Node<HTML.BodyContext>] = []
        for (category, name) in categories.enumerated() {
            let x = Self.left + slot * Double(category) + (slot - Double(perCategory) * barWidth) / 2
            var stackTop = baseline
            for (index, series) in series.enumerated() {
                let value = series.values[category]
                let barHeight = Double(value) / scale * Self.plotHeight
                let barX = layout == .stacked ? x : x + Double(index) * barWidth
                let barY = layout == .stacked ? stackTop - barHeight : baseline - barHeight
                if layout == .stacked { stackTop -= barHeight }
                guard value > 0 else { continue }
                shapes.append(
                    Self.svg(
                        "rect", ["class": "bar", "x": Self.number(barX), "y": Self.number(barY), "width": Self.number(barWidth - 2),
                                 "height": Self.number(barHeight), "fill": Self.palette[index % Self.palette.count]],
                        [Self.svg("title", [:], [.text("\(name), \(series.name): \(valueText(value))")])]))
                if layout == .grouped {
                    shapes.append(Self.label(valueText(value), x: barX + barWidth / 2 - 1, y: barY - 4, size: 9))
                }
            }
            if layout == .stacked {
                let total = series.reduce(0) { $0 + $1.values[category] }
                shapes.append(Self.label(valueText(total), x: x + barWidth / 2, y: stackTop - 6, size: 10))
            }
            shapes.append(Self.label(name, x: Self.left + slot * (Double(category) + 0.5), y: baseline + 16, size: 11))
        }
        shapes.append(
            Self.svg(
                "line", ["x1": Self.number(Self.left), "x2": Self.number(width - Self.left), "y1": Self.number(baseline),
                         "y2": Self.number(baseline), "stroke": "#444"], []))
        if let reference {
            let y = baseline - Double(reference.value) / scale * Self.plotHeight
            shapes.append(
                Self.svg(
                    "line", ["class": "reference", "x1": Self.number(Self.left), "x2": Self.number(width - Self.left), "y1": Self.number(y),
                             "y2": Self.number(y), "stroke": "#D55E00", "stroke-dasharray": "6 4"], []))
            shapes.append(Self.label(reference.label, x: width - Self.left, y: y - 5, size: 10, anchor: "end"))
        }
        shapes += legend(y: baseline + 36, width: width)
        return chart(width: width, height: height, shapes)
    }

    private var funnel: Node<HTML.BodyContext> {
        let values = series.first?.values ?? []
        let width = 640.0
        let rowHeight = 34.0
        let height = Self.top + rowHeight * Double(categories.count) + 8
        let scale = Double(max(values.max() ?? 0, 1))
        var shapes: [Node<HTML.BodyContext>] = []
        for (index, name) in categories.enumerated() {
            let value = values[index]
            let barWidth = max(Double(value) / scale * (width - 260), 1)
            let y = Self.top + rowHeight * Double(index)
            shapes.append(
                Self.svg(
                    "rect", ["class": "bar", "x": Self.number(190 + (width - 260 - barWidth) / 2), "y": Self.number(y),
                             "width": Self.number(barWidth), "height": Self.number(rowHeight - 8),
                             "fill": Self.palette[index % Self.palette.count]],
                    [Self.svg("title", [:], [.text("\(name): \(valueText(value))")])]))
            shapes.append(Self.label(name, x: 184, y: y + rowHeight / 2, size: 11, anchor: "end"))
            shapes.append(Self.label(valueText(value), x: width - 64, y: y + rowHeight / 2, size: 11, anchor: "start"))
        }
        return chart(width: width, height: height, shapes)
    }

    private func legend(y: Double, width: Double) -> [Node<HTML.BodyContext>] {
        guard layout != .funnel, series.count > 1 || layout == .grouped else { return [] }
        return series.enumerated().flatMap { index, series -> [Node<HTML.BodyContext>] in
            let x = Self.left + Double(index % 3) * 180
            let rowY = y + Double(index / 3) * 22
            return [
                Self.svg(
                    "rect", ["x": Self.number(x), "y": Self.number(rowY - 10), "width": "12", "height": "12",
                             "fill": Self.palette[index % Self.palette.count]], []),
                Self.label(series.name, x: x + 18, y: rowY, size: 11, anchor: "start"),
            ]
        }
    }

    private func chart(width: Double, height: Double, _ shapes: [Node<HTML.BodyContext>]) -> Node<HTML.BodyContext> {
        .element(
            named: "figure",
            nodes: [
                .class("chart"),
                Self.svg(
                    "svg", ["xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 \(Self.number(width)) \(Self.number(height))",
                            "width": Self.number(width), "height": Self.number(height), "role": "img", "aria-label": title],
                    [Self.label(title, x: Self.left, y: 16, size: 13, anchor: "start", weight: "bold")] + shapes),
            ])
    }

    private static func label(
        _ text: String, x: Double, y: Double, size: Int, anchor: String = "middle", weight: String = "normal"
    ) -> Node<HTML.BodyContext> {
        svg(
            "text", ["x": number(x), "y": number(y), "font-size": "\(size)", "text-anchor": anchor, "font-weight": weight,
                     "dominant-baseline": "middle"], [.text(text)])
    }

    private static func svg(_ name: String, _ attributes: KeyValuePairs<String, String>, _ children: [Node<HTML.BodyContext>]) -> Node<HTML.BodyContext> {
        .element(named: name, nodes: attributes.map { Node.attribute(named: $0.key, value: $0.value) } + children)
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
