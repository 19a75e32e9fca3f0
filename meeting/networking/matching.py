"""Bipartite machinery behind the rotation planner: cheapest pair set, then rounds.

Kept apart from `mentoring.py` because it knows nothing about mentors: it picks a set of
pairs by min-cost flow and peels a set of pairs into matchings (one per round).
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

Pair = tuple[int, int]


def pick_pairs(
    left_steps: Sequence[Sequence[int]],
    right_steps: Sequence[Sequence[int]],
    candidates: Sequence[tuple[int, int, int]],
) -> list[Pair]:
    """The cheapest set of distinct `(left, right)` pairs, however many that takes.

    `left_steps[i][k]` is the cost of giving left node `i` its `k+1`-th pair (so its
    length caps the node's degree); `candidates` are `(left, right, cost)` pairs allowed
    at most once. Step costs must not decrease along a list (convex), which is what lets
    a min-cost flow solve this exactly (successive shortest paths, Dijkstra on reduced
    costs).
    """
    left, right = len(left_steps), len(right_steps)
    source, sink = left + right, left + right + 1
    net = _Network(left + right + 2)
    for i, steps in enumerate(left_steps):
        for cost in steps:
            net.add(source, i, cost)
    for j, steps in enumerate(right_steps):
        for cost in steps:
            net.add(left + j, sink, cost)
    arcs = {net.add(i, left + j, cost): (i, j) for i, j, cost in candidates}
    net.flow(source, sink)
    return [pair for arc, pair in arcs.items() if net.cap[arc] == 0]


def split_into_rounds(
    pairs: Sequence[Pair], rounds: int, left_loads: Sequence[int], right_loads: Sequence[int]
) -> list[list[Pair]]:
    """Peel `pairs` into `rounds` matchings: full rounds, least-met people first.

    Each round must seat everyone with as many pairs left as rounds left; then the rest
    still fits, because a bipartite graph always has a matching covering all its nodes of
    maximum degree. Past that, a round seats as many people as it can, preferring those
    with the lowest load so far (`*_loads`, updated as rounds are peeled), so loads stay
    even after every round and not only at the end.
    """
    left_loads, right_loads = list(left_loads), list(right_loads)
    remaining = list(pairs)
    result: list[list[Pair]] = []
    for rounds_left in range(rounds, 0, -1):
        left_left = Counter(left for left, _ in remaining)
        right_left = Counter(right for _, right in remaining)
        if max([*left_left.values(), *right_left.values(), 0]) > rounds_left:
            raise ValueError(f"a node has more than {rounds_left} pairs for {rounds_left} rounds")
        scale = _SeatCosts(
            rounds_left,
            span=max([*left_loads, *right_loads, 0]) + rounds + 2,
            nodes=len(left_loads) + len(right_loads),
        )
        matching = pick_pairs(
            [scale.steps(left_left[i], load) for i, load in enumerate(left_loads)],
            [scale.steps(right_left[j], load) for j, load in enumerate(right_loads)],
            [(left, right, 0) for left, right in remaining],
        )
        for left, right in matching:
            left_loads[left] += 1
            right_loads[right] += 1
        chosen = set(matching)
        remaining = [pair for pair in remaining if pair not in chosen]
        result.append(sorted(matching))
    return result


@dataclass(frozen=True)
class _SeatCosts:
    """Cost of seating a node in a round; each tier outweighs all tiers below combined.

    Tiers: must be seated (else the rest no longer fits), is seated at all, lowest load so
    far, most pairs left. Loads and pairs left stay below `span`.
    """

    rounds_left: int
    span: int
    nodes: int

    def steps(self, pairs_left: int, load: int) -> list[int]:
        if not pairs_left:
            return []
        top_tie = self.span * self.span + self.span
        tie = self.span * (self.span - load) + pairs_left
        seated = self.nodes * top_tie + 1
        forced = self.nodes * (seated + top_tie) + 1
        return [-((forced if pairs_left == self.rounds_left else 0) + seated + tie)]


class _Network:
    """A flow network of unit arcs, solved by successive shortest paths."""

    def __init__(self, size: int) -> None:
        self.out: list[list[int]] = [[] for _ in range(size)]
        self.head: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def add(self, tail: int, head: int, cost: int) -> int:
        arc = len(self.head)
        self.head += [head, tail]
        self.cap += [1, 0]
        self.cost += [cost, -cost]
        self.out[tail].append(arc)
        self.out[head].append(arc + 1)
        return arc

    def flow(self, source: int, sink: int) -> None:
        """Push units while the cheapest source-sink path still lowers the total cost."""
        potential = self._initial_potentials(source)
        while True:
            dist = self._dijkstra(source, potential)
            if sink not in dist or dist[sink] + potential[sink] - potential[source] >= 0:
                return
            for node, d in dist.items():
                potential[node] += d
            # Every path of zero reduced cost is now a cheapest one: push along all of
            # them before the next Dijkstra.
            while self._push_cheapest(source, sink, potential):
                pass

    def _push_cheapest(self, source: int, sink: int, potential: list[int]) -> bool:
        """Push one unit along a path of zero reduced cost; False when there is none."""
        heads, caps, costs = self.head, self.cap, self.cost
        via: dict[int, int] = {}
        stack, seen = [source], {source}
        while stack and sink not in seen:
            node = stack.pop()
            base = potential[node]
            for arc in self.out[node]:
                head = heads[arc]
                if caps[arc] and head not in seen and costs[arc] + base == potential[head]:
                    seen.add(head)
                    via[head] = arc
                    stack.append(head)
        if sink not in seen:
            return False
        node = sink
        while node != source:
            arc = via[node]
            caps[arc] -= 1
            caps[arc ^ 1] += 1
            node = heads[arc ^ 1]
        return True

    def _initial_potentials(self, source: int) -> list[int]:
        # Costs may be negative, so one Bellman-Ford pass (queue based) seeds Dijkstra.
        dist: dict[int, int] = {source: 0}
        queue, queued = deque([source]), {source}
        while queue:
            node = queue.popleft()
            queued.discard(node)
            for arc in self.out[node]:
                head, nd = self.head[arc], dist[node] + self.cost[arc]
                if self.cap[arc] and (head not in dist or nd < dist[head]):
                    dist[head] = nd
                    if head not in queued:
                        queue.append(head)
                        queued.add(head)
        return [dist.get(node, 0) for node in range(len(self.out))]

    def _dijkstra(self, source: int, potential: list[int]) -> dict[int, int]:
        """Reduced-cost distances from `source` to every node it can reach."""
        dist: dict[int, int] = {source: 0}
        done: set[int] = set()
        heap = [(0, source)]
        out, heads, caps, costs = self.out, self.head, self.cap, self.cost
        while heap:
            d, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            base = d + potential[node]
            for arc in out[node]:
                head = heads[arc]
                if caps[arc] and head not in done:
                    nd = base + costs[arc] - potential[head]
                    if head not in dist or nd < dist[head]:
                        dist[head] = nd
                        heapq.heappush(heap, (nd, head))
        return dist
