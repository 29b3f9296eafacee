import Atelier
/// A chart drawn on the server as inline SVG (the console runs no script): a line of points, columns, or ranked
/// horizontal bars, and the small bar drawn in a table's cell.
///
/// Every chart is an image with its title and description (`role="img"`, `aria-labelledby`, `aria-describedby`),
/// has an axis with its ticks written out and each value written next to its point or bar, so that it reads without
/// colour. Every text put into the markup is XML-escaped. Each point or bar is a `g.datum` carrying its key and
/// value (`data-key`, `data-value`), for tests.
struct SVGChart: Sendable {
    /// One point or bar: its key (a period's first day, an option), its axis label, its value and the value as
    /// written on the chart.
    struct Datum: Sendable, Equatable {
        var key: String
        var label: String
        var value: Int64
        var text: String
    }

    /// Where the plot of a line or column chart sits, and how a value and a position map into it.
    struct Frame: Sendable, Equatable {
        var left: Double
        var top: Double
        var slot: Double
        var plotWidth: Double
        var plotHeight: Double
        var width: Double
        var height: Double
        /// The value drawn at the top of the plot: the last tick, at least 1.
        var scaleTop: Int64
        /// Whether some value is too wide for its slot, and so turned (the plot is lower to leave it room).
        var rotatesValues: Bool
        var rotatesLabels: Bool

        /// The centre of the `index`th point or column.
        func x(_ index: Int) -> Double { left + slot * (Double(index) + 0.5) }

        /// The height of a value; a negative one is drawn on the axis.
        func y(_ value: Int64) -> Double { top + plotHeight * (1 - Double(max(0, min(value, scaleTop))) / Double(scaleTop)) }

        var bottom: Double { top + plotHeight }
    }

    var id: String
    var title: String
    var description: String
    var data: [Datum]
    /// Writes a tick of the value axis.
    var tickText: @Sendable (Int64) -> String = { String($0) }
    /// Written across the plot when there is nothing to draw (no data, or every value 0).
    var emptyNote: String = "Nothing in this range"

    static let fontSize = 12.0
    /// A character's width, roughly, in the console's sans-serif at `fontSize`: enough to lay labels out.
    static let characterWidth = 7.2
    static let minimumSlot = 32.0
    static let minimumPlotWidth = 600.0
    static let plotHeight = 200.0
    static let barHeight = 18.0
    static let rowHeight = 28.0
    static let barLength = 420.0
    static let longestLabel = 40

    // MARK: charts

    /// The values as points joined by a line, each point marked with a circle and its value written above it.
    func line() -> String {
        let frame = self.frame()
        var body = axes(frame)
        let points = data.indices.map { "\(Self.number(frame.x($0))),\(Self.number(frame.y(data[$0].value)))" }
        if points.count > 1 {
            body += "<polyline class=\"series\" fill=\"none\" points=\"\(points.joined(separator: " "))\"/>"
        }
        for (index, datum) in data.enumerated() {
            let (x, y) = (frame.x(index), frame.y(datum.value))
            body += "<g class=\"datum\" data-key=\"\(XMLText.escape(datum.key))\" data-value=\"\(datum.value)\">"
            body += "<circle class=\"marker\" cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"4\"/>"
            body += valueText(datum.text, x: x, y: y - 8, in: frame) + "</g>"
        }
        return svg(width: frame.width, height: frame.height, body)
    }

    /// The values as columns standing on the axis, each with its value written above it.
    func columns() -> String {
        let frame = self.frame()
        var body = axes(frame)
        let width = max(2, frame.slot * 0.6)
        for (index, datum) in data.enumerated() {
            let (x, y) = (frame.x(index), frame.y(datum.value))
            body += "<g class=\"datum\" data-key=\"\(XMLText.escape(datum.key))\" data-value=\"\(datum.value)\">"
            body += "<rect class=\"column\" x=\"\(Self.number(x - width / 2))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" "
                + "height=\"\(Self.number(frame.bottom - y))\"/>"
            body += valueText(datum.text, x: x, y: y - 6, in: frame) + "</g>"
        }
        return svg(width: frame.width, height: frame.height, body)
    }

    /// The values as horizontal bars in the given order (largest first for a ranking), each named on its left
    /// and with its value written after its end, over an axis of ticks.
    func bars() -> String {
        let ticks = Self.ticks(upTo: data.map(\.value).max() ?? 0)
        let scaleTop = max(ticks.last ?? 0, 1)
        let labelWidth = Self.textWidth(data.map { Self.shortened($0.label) }.max { $0.count < $1.count } ?? "")
        let valueWidth = Self.textWidth(data.map(\.text).max { $0.count < $1.count } ?? "")
        let left = 12 + labelWidth + 8
        let top = 12.0
        let plotHeight = Self.rowHeight * Double(max(data.count, 1))
        let width = left + Self.barLength + 8 + valueWidth + 16
        let height = top + plotHeight + 8 + Self.fontSize + 12
        func x(_ value: Int64) -> Double { left + Self.barLength * Double(max(0, min(value, scaleTop))) / Double(scaleTop) }

        var body = ""
        for tick in ticks {
            body += "<line class=\"grid\" x1=\"\(Self.number(x(tick)))\" y1=\"\(Self.number(top))\" x2=\"\(Self.number(x(tick)))\" "
                + "y2=\"\(Self.number(top + plotHeight))\"/>"
            body += text(tickText(tick), x: x(tick), y: top + plotHeight + 8 + Self.fontSize, anchor: "middle", className: "tick")
        }
        body += "<line class=\"axis\" x1=\"\(Self.number(left))\" y1=\"\(Self.number(top))\" x2=\"\(Self.number(left))\" "
            + "y2=\"\(Self.number(top + plotHeight))\"/>"
        if isBlank { body += note(x: left + Self.barLength / 2, y: top + plotHeight / 2) }
        for (index, datum) in data.enumerated() {
            let rowTop = top + Self.rowHeight * Double(index)
            let middle = rowTop + Self.rowHeight / 2
            body += "<g class=\"datum\" data-key=\"\(XMLText.escape(datum.key))\" data-value=\"\(datum.value)\">"
            body += text(Self.shortened(datum.label), x: left - 8, y: middle + 4, anchor: "end", className: "label")
            body += "<rect class=\"bar\" x=\"\(Self.number(left))\" y=\"\(Self.number(middle - Self.barHeight / 2))\" "
                + "width=\"\(Self.number(x(datum.value) - left))\" height=\"\(Self.number(Self.barHeight))\"/>"
            body += text(datum.text, x: x(datum.value) + 6, y: middle + 4, anchor: "start", className: "value") + "</g>"
        }
        return svg(width: width, height: height, body)
    }

    /// A bar for a table's cell, `value` of `maximum` long; decoration only (the cell writes the number).
    static func cell(_ value: Int64, of maximum: Int64, width: Double = 120) -> String {
        let length = maximum > 0 && value > 0 ? max(1, width * Double(min(value, maximum)) / Double(maximum)) : 0
        return "<svg class=\"bar-cell\" width=\"\(number(width))\" height=\"12\" viewBox=\"0 0 \(number(width)) 12\" "
            + "aria-hidden=\"true\" focusable=\"false\"><rect x=\"0\" y=\"1\" width=\"\(number(length))\" height=\"10\"/></svg>"
    }

    // MARK: layout

    /// The frame of a line or column chart: a slot per datum (wider when there are few), the value axis's ticks
    /// on the left; labels turned when they would not fit their slot.
    func frame() -> Frame {
        let ticks = Self.ticks(upTo: data.map(\.value).max() ?? 0)
        let tickWidth = ticks.map { Self.textWidth(tickText($0)) }.max() ?? 0
        let left = 16 + tickWidth + 8
        let slot = max(Self.minimumSlot, Self.minimumPlotWidth / Double(max(data.count, 1)))
        let plotWidth = slot * Double(max(data.count, 1))
        let valueWidth = data.map { Self.textWidth($0.text) }.max() ?? 0
        let labelWidth = data.map { Self.textWidth(Self.shortened($0.label)) }.max() ?? 0
        let rotatesValues = valueWidth > slot - 4
        let rotatesLabels = labelWidth > slot - 4
        let top = 12 + (rotatesValues ? valueWidth + 8 : Self.fontSize + 8)
        // A label turned by 45° drops by about 0.71 of its length.
        let below = rotatesLabels ? labelWidth * 0.71 + Self.fontSize + 12 : Self.fontSize + 16
        return Frame(left: left, top: top, slot: slot, plotWidth: plotWidth, plotHeight: Self.plotHeight,
                     width: left + plotWidth + 16, height: top + Self.plotHeight + below, scaleTop: max(ticks.last ?? 0, 1),
                     rotatesValues: rotatesValues, rotatesLabels: rotatesLabels)
    }

    /// Round ticks from 0 to at least `maximum` (steps of 1, 2 or 5 times a power of ten, about four of them).
    static func ticks(upTo maximum: Int64, count: Int64 = 4) -> [Int64] {
        guard maximum > 0 else { return [0] }
        let raw = max(1, (maximum + count - 1) / count)
        var magnitude: Int64 = 1
        while magnitude <= raw / 10 { magnitude *= 10 }
        let step = ([1, 2, 5, 10] as [Int64]).map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let top = (maximum + step - 1) / step * step
        return Array(stride(from: Int64(0), through: top, by: Int(step)))
    }

    /// Whether there is nothing to draw: no data, or every value 0 or less.
    var isBlank: Bool { data.allSatisfy { $0.value <= 0 } }

    // MARK: markup

    private func svg(width: Double, height: Double, _ body: String) -> String {
        let (w, h, name) = (Self.number(width), Self.number(height), XMLText.escape(id))
        var markup = "<svg id=\"\(name)\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
        markup += "aria-labelledby=\"\(name)-title\" aria-describedby=\"\(name)-desc\" "
        markup += "width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">"
        markup += "<title id=\"\(name)-title\">\(XMLText.escape(title))</title>"
        markup += "<desc id=\"\(name)-desc\">\(XMLText.escape(description))</desc>"
        return markup + body + "</svg>"
    }

    /// The value axis with its ticks and grid lines, the base line, and the labels of the slots.
    private func axes(_ frame: Frame) -> String {
        var body = ""
        let right = frame.left + frame.plotWidth
        for tick in Self.ticks(upTo: data.map(\.value).max() ?? 0) {
            let y = frame.y(tick)
            body += "<line class=\"grid\" x1=\"\(Self.number(frame.left))\" y1=\"\(Self.number(y))\" x2=\"\(Self.number(right))\" "
                + "y2=\"\(Self.number(y))\"/>"
            body += text(tickText(tick), x: frame.left - 8, y: y + 4, anchor: "end", className: "tick")
        }
        body += "<line class=\"axis\" x1=\"\(Self.number(frame.left))\" y1=\"\(Self.number(frame.bottom))\" x2=\"\(Self.number(right))\" "
            + "y2=\"\(Self.number(frame.bottom))\"/>"
        for (index, datum) in data.enumerated() {
            let x = frame.x(index)
            let y = frame.bottom + 8 + Self.fontSize
            if frame.rotatesLabels {
                body += "<text class=\"label\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" text-anchor=\"end\" "
                    + "transform=\"rotate(-45 \(Self.number(x)) \(Self.number(y)))\">\(XMLText.escape(Self.shortened(datum.label)))</text>"
            } else {
                body += text(Self.shortened(datum.label), x: x, y: y, anchor: "middle", className: "label")
            }
        }
        if isBlank { body += note(x: frame.left + frame.plotWidth / 2, y: frame.top + frame.plotHeight / 2) }
        return body
    }

    /// A value above its point or column: upright when it fits the slot, else turned to read upwards.
    private func valueText(_ value: String, x: Double, y: Double, in frame: Frame) -> String {
        guard Self.textWidth(value) > frame.slot - 4 else { return text(value, x: x, y: y, anchor: "middle", className: "value") }
        // Turned to read upwards from just above the point, centred on it.
        let shifted = x + Self.fontSize * 0.35
        return "<text class=\"value\" x=\"\(Self.number(shifted))\" y=\"\(Self.number(y))\" text-anchor=\"start\" "
            + "transform=\"rotate(-90 \(Self.number(shifted)) \(Self.number(y)))\">\(XMLText.escape(value))</text>"
    }

    private func note(x: Double, y: Double) -> String {
        text(emptyNote, x: x, y: y, anchor: "middle", className: "note")
    }

    private func text(_ value: String, x: Double, y: Double, anchor: String, className: String) -> String {
        "<text class=\"\(className)\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" text-anchor=\"\(anchor)\">\(XMLText.escape(value))</text>"
    }

    /// A label cut to `longestLabel` characters (with an ellipsis), so that one long name does not widen the chart.
    static func shortened(_ label: String) -> String {
        label.count > longestLabel ? String(label.prefix(longestLabel - 1)) + "…" : label
    }

    static func textWidth(_ text: String) -> Double { Double(text.count) * characterWidth }

    /// A coordinate to a tenth, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded()
        let whole = Int(tenths) / 10
        let tenth = abs(Int(tenths) % 10)
        if tenth == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(tenth)"
    }
}
