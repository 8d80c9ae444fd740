/// A reference to a diagram node: an inner node when `>= 0`, a leaf when negative.
package typealias NodeRef = Int32

/// Thrown when a diagram grows past its node budget.
struct NodeBudgetExceeded: Error {}

/// Builds reduced, ordered multi-valued decision diagrams that share equal sub-diagrams.
///
/// Variables are ordered by their index, which is the order they were first used; leaves carry a
/// sorted list of integers (rule indexes, or for boolean diagrams empty = false, non-empty = true).
struct DiagramBuilder {
    private(set) var variables: [DiagramVariable] = []
    private var variableIndex: [DiagramVariable: Int32] = [:]

    private(set) var nodeVariable: [Int32] = []
    private(set) var nodeFirstChild: [Int32] = []
    private(set) var children: [NodeRef] = []
    private var unique: [NodeKey: NodeRef] = [:]

    private(set) var leaves: [[Int32]] = []
    private var leafIndex: [PayloadKey: NodeRef] = [:]

    private var iteMemo: [Triple: NodeRef] = [:]
    private var unionMemo: [Pair: NodeRef] = [:]

    /// Inner nodes allowed before `NodeBudgetExceeded` is thrown.
    var budget = Int.max

    // The tables below hash millions of small integer tuples while a large policy compiles; each
    // key folds its integers into one word so the hasher runs once per key, not once per integer.

    private static func fold(_ seed: UInt64, _ values: [Int32]) -> UInt64 {
        var x = seed
        for value in values { x = (x ^ UInt64(UInt32(bitPattern: value))) &* 0x0100_0000_01B3 }
        return x
    }

    private struct NodeKey: Hashable {
        var variable: Int32
        var children: [NodeRef]

        func hash(into hasher: inout Hasher) {
            hasher.combine(DiagramBuilder.fold(UInt64(UInt32(bitPattern: variable)) &+ 0xCBF2_9CE4_8422_2325, children))
        }
    }

    private struct PayloadKey: Hashable {
        var payload: [Int32]

        func hash(into hasher: inout Hasher) { hasher.combine(DiagramBuilder.fold(0xCBF2_9CE4_8422_2325, payload)) }
    }

    private struct Triple: Hashable {
        var a: NodeRef, b: NodeRef, c: NodeRef

        func hash(into hasher: inout Hasher) {
            hasher.combine(UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) ^ UInt64(UInt32(bitPattern: c)) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    private struct Pair: Hashable {
        var a: NodeRef, b: NodeRef

        func hash(into hasher: inout Hasher) {
            hasher.combine(UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)))
        }
    }

    init() {
        falseLeaf = 0
        trueLeaf = 0
        falseLeaf = leaf([])
        trueLeaf = leaf([1])
    }

    /// The boolean leaves.
    private(set) var falseLeaf: NodeRef
    private(set) var trueLeaf: NodeRef

    var nodeCount: Int { nodeVariable.count }

    /// The index of a variable, adding it at the bottom of the order when new.
    mutating func variable(_ variable: DiagramVariable) -> Int32 {
        if let index = variableIndex[variable] { return index }
        let index = Int32(variables.count)
        variables.append(variable)
        variableIndex[variable] = index
        return index
    }

    /// The leaf with this payload.
    mutating func leaf(_ payload: [Int32]) -> NodeRef {
        let key = PayloadKey(payload: payload)
        if let ref = leafIndex[key] { return ref }
        let ref = NodeRef(-(leaves.count + 1))
        leaves.append(payload)
        leafIndex[key] = ref
        return ref
    }

    func isLeaf(_ ref: NodeRef) -> Bool { ref < 0 }

    func payload(_ ref: NodeRef) -> [Int32] { leaves[Int(-ref - 1)] }

    func topVariable(_ ref: NodeRef) -> Int32 { ref < 0 ? Int32.max : nodeVariable[Int(ref)] }

    func child(_ ref: NodeRef, _ branch: Int) -> NodeRef { children[Int(nodeFirstChild[Int(ref)]) + branch] }

    /// The node testing `variable` with these children, or the child itself when all are equal.
    mutating func node(_ variable: Int32, _ branches: [NodeRef]) throws -> NodeRef {
        if let first = branches.first, branches.allSatisfy({ $0 == first }) { return first }
        let key = NodeKey(variable: variable, children: branches)
        if let ref = unique[key] { return ref }
        if nodeVariable.count >= budget { throw NodeBudgetExceeded() }
        let ref = NodeRef(nodeVariable.count)
        nodeVariable.append(variable)
        nodeFirstChild.append(Int32(children.count))
        children.append(contentsOf: branches)
        unique[key] = ref
        return ref
    }

    private func cofactor(_ ref: NodeRef, _ variable: Int32, _ branch: Int) -> NodeRef {
        topVariable(ref) == variable ? child(ref, branch) : ref
    }

    /// If-then-else: where boolean diagram `condition` is true, `then`; elsewhere `otherwise`.
    mutating func ite(_ condition: NodeRef, _ then: NodeRef, _ otherwise: NodeRef) throws -> NodeRef {
        if isLeaf(condition) { return payload(condition).isEmpty ? otherwise : then }
        if then == otherwise { return then }
        if then == trueLeaf, otherwise == falseLeaf { return condition }
        let key = Triple(a: condition, b: then, c: otherwise)
        if let done = iteMemo[key] { return done }
        let top = min(topVariable(condition), topVariable(then), topVariable(otherwise))
        var branches: [NodeRef] = []
        let size = variables[Int(top)].domainSize
        branches.reserveCapacity(size)
        for branch in 0..<size {
            branches.append(
                try ite(cofactor(condition, top, branch), cofactor(then, top, branch), cofactor(otherwise, top, branch)))
        }
        let result = try node(top, branches)
        iteMemo[key] = result
        return result
    }

    mutating func and(_ a: NodeRef, _ b: NodeRef) throws -> NodeRef { try ite(a, b, falseLeaf) }

    mutating func or(_ a: NodeRef, _ b: NodeRef) throws -> NodeRef { try ite(a, trueLeaf, b) }

    mutating func not(_ a: NodeRef) throws -> NodeRef { try ite(a, falseLeaf, trueLeaf) }

    /// The diagram whose leaves are the sorted union of the two diagrams' leaf payloads.
    mutating func union(_ a: NodeRef, _ b: NodeRef) throws -> NodeRef {
        if isLeaf(a), isLeaf(b) {
            return leaf(Self.mergeSorted(payload(a), payload(b)))
        }
        if a == b { return a }
        let key = Pair(a: min(a, b), b: max(a, b))
        if let done = unionMemo[key] { return done }
        let top = min(topVariable(a), topVariable(b))
        var branches: [NodeRef] = []
        for branch in 0..<variables[Int(top)].domainSize {
            branches.append(try union(cofactor(a, top, branch), cofactor(b, top, branch)))
        }
        let result = try node(top, branches)
        unionMemo[key] = result
        return result
    }

    /// The union of two sorted payloads, sorted, in one pass.
    static func mergeSorted(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var result: [Int32] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] < b[j] {
                result.append(a[i])
                i += 1
            } else if a[i] > b[j] {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                i += 1
                j += 1
            }
        }
        result.append(contentsOf: a[i...])
        result.append(contentsOf: b[j...])
        return result
    }

    /// The same diagram with every leaf replaced by `transform(leaf)`.
    mutating func mapLeaves(_ root: NodeRef, _ transform: (NodeRef) -> NodeRef) throws -> NodeRef {
        var memo: [NodeRef: NodeRef] = [:]
        func visit(_ ref: NodeRef, _ builder: inout DiagramBuilder) throws -> NodeRef {
            if ref < 0 { return transform(ref) }
            if let done = memo[ref] { return done }
            let variable = builder.nodeVariable[Int(ref)]
            var branches: [NodeRef] = []
            for branch in 0..<builder.variables[Int(variable)].domainSize {
                branches.append(try visit(builder.child(ref, branch), &builder))
            }
            let result = try builder.node(variable, branches)
            memo[ref] = result
            return result
        }
        return try visit(root, &self)
    }

    /// Every leaf reachable from `root`.
    func reachableLeaves(_ root: NodeRef) -> Set<NodeRef> {
        Self.reachable(from: root, nodeVariable: nodeVariable, nodeFirstChild: nodeFirstChild, children: children, variables: variables).leaves
    }

    /// The inner nodes and leaves reachable from `root` in diagram storage; shared by the builder
    /// and `CompiledPolicy`.
    static func reachable(
        from root: NodeRef, nodeVariable: [Int32], nodeFirstChild: [Int32], children: [NodeRef], variables: [DiagramVariable]
    ) -> (inner: Set<NodeRef>, leaves: Set<NodeRef>) {
        var inner: Set<NodeRef> = []
        var leaves: Set<NodeRef> = []
        var stack = [root]
        while let ref = stack.popLast() {
            if ref < 0 {
                leaves.insert(ref)
                continue
            }
            guard inner.insert(ref).inserted else { continue }
            let first = Int(nodeFirstChild[Int(ref)])
            for branch in 0..<variables[Int(nodeVariable[Int(ref)])].domainSize { stack.append(children[first + branch]) }
        }
        return (inner, leaves)
    }

    /// One path from `root` to `target`, as (variable, branch) pairs, if the leaf is reachable.
    func path(from root: NodeRef, to target: NodeRef) -> [(variable: Int32, branch: Int)]? {
        var failed: Set<NodeRef> = []
        func search(_ ref: NodeRef, _ trail: inout [(variable: Int32, branch: Int)]) -> Bool {
            if ref == target { return true }
            if ref < 0 || failed.contains(ref) { return false }
            let variable = nodeVariable[Int(ref)]
            for branch in 0..<variables[Int(variable)].domainSize {
                trail.append((variable, branch))
                if search(child(ref, branch), &trail) { return true }
                trail.removeLast()
            }
            failed.insert(ref)
            return false
        }
        var trail: [(variable: Int32, branch: Int)] = []
        return search(root, &trail) ? trail : nil
    }
}
