/// One step of rendering an argument, resolved once against the
/// ``CommandPlan``: literal text is a range of the plan's literal bytes and a
/// field is a slot of the plan's field lookup, so rendering a record touches
/// no array or string that would need retaining.
enum RenderStep: Sendable {
    /// Copy `CommandPlan.literals[range]`.
    case literal(Range<Int>)
    /// A placeholder: `CommandPlan.placeholders[placeholder]`, whose field
    /// (if any) is slot `slot` of the plan's lookup.
    case placeholder(Int, slot: Int)
}
