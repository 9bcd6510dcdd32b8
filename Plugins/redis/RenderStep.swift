/// One step of rendering an argument, resolved once against the
/// ``CommandPlan``. Every case is plain values (ranges and indices): the
/// per-record loop copies no array or string, so it retains nothing.
enum RenderStep: Sendable {
    /// Copy `CommandPlan.literals[range]`.
    case literal(Range<Int>)
    /// The record key, converted.
    case key(Placeholder.Conversion)
    /// The raw record value, converted.
    case value(Placeholder.Conversion)
    /// A field of the value's JSON: path `slot` of the plan's field paths,
    /// converted; `placeholder` indexes `CommandPlan.placeholders` (to name it in reasons).
    case field(slot: Int, Placeholder.Conversion, placeholder: Int)
}
