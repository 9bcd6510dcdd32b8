import PropertyBased
import Testing

// swift-property-based counts only recorded issues as failures: an error thrown
// by a property's body is swallowed, so a parser or builder that throws on a
// generated input would pass unseen. `checkProperty` is `propertyCheck` with
// every thrown error recorded as an issue (and so shrunk and reported).

/// Runs `body`, recording an error it throws as an issue at `sourceLocation`.
func recordingThrownErrors(at sourceLocation: SourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        Issue.record(error, "the property threw", sourceLocation: sourceLocation)
    }
}

/// `propertyCheck` with one generator; a thrown error fails the property.
func checkProperty<InA, OutA>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    perform body: (OutA) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, perform: { a in
        await recordingThrownErrors(at: sourceLocation) { try await body(a) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}

/// `propertyCheck` with two generators; a thrown error fails the property.
func checkProperty<InA, InB, OutA, OutB>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    _ g1: Generator<OutB, some Sequence<InB>>,
    perform body: (OutA, OutB) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, g1, perform: { a, b in
        await recordingThrownErrors(at: sourceLocation) { try await body(a, b) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}

/// `propertyCheck` with three generators; a thrown error fails the property.
func checkProperty<InA, InB, InC, OutA, OutB, OutC>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    _ g1: Generator<OutB, some Sequence<InB>>,
    _ g2: Generator<OutC, some Sequence<InC>>,
    perform body: (OutA, OutB, OutC) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, g1, g2, perform: { a, b, c in
        await recordingThrownErrors(at: sourceLocation) { try await body(a, b, c) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}

/// `propertyCheck` with four generators; a thrown error fails the property.
func checkProperty<InA, InB, InC, InD, OutA, OutB, OutC, OutD>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    _ g1: Generator<OutB, some Sequence<InB>>,
    _ g2: Generator<OutC, some Sequence<InC>>,
    _ g3: Generator<OutD, some Sequence<InD>>,
    perform body: (OutA, OutB, OutC, OutD) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, g1, g2, g3, perform: { a, b, c, d in
        await recordingThrownErrors(at: sourceLocation) { try await body(a, b, c, d) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}

/// `propertyCheck` with five generators; a thrown error fails the property.
func checkProperty<InA, InB, InC, InD, InE, OutA, OutB, OutC, OutD, OutE>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    _ g1: Generator<OutB, some Sequence<InB>>,
    _ g2: Generator<OutC, some Sequence<InC>>,
    _ g3: Generator<OutD, some Sequence<InD>>,
    _ g4: Generator<OutE, some Sequence<InE>>,
    perform body: (OutA, OutB, OutC, OutD, OutE) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, g1, g2, g3, g4, perform: { a, b, c, d, e in
        await recordingThrownErrors(at: sourceLocation) { try await body(a, b, c, d, e) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}

/// `propertyCheck` with six generators; a thrown error fails the property.
func checkProperty<InA, InB, InC, InD, InE, InF, OutA, OutB, OutC, OutD, OutE, OutF>(
    count: Int = 100,
    input g0: Generator<OutA, some Sequence<InA>>,
    _ g1: Generator<OutB, some Sequence<InB>>,
    _ g2: Generator<OutC, some Sequence<InC>>,
    _ g3: Generator<OutD, some Sequence<InD>>,
    _ g4: Generator<OutE, some Sequence<InE>>,
    _ g5: Generator<OutF, some Sequence<InF>>,
    perform body: (OutA, OutB, OutC, OutD, OutE, OutF) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    await propertyCheck(count: count, input: g0, g1, g2, g3, g4, g5, perform: { a, b, c, d, e, f in
        await recordingThrownErrors(at: sourceLocation) { try await body(a, b, c, d, e, f) }
    }, isolation: isolation, sourceLocation: sourceLocation)
}
