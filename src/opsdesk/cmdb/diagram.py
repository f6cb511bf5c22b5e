"""A CI's neighbourhood as an inline SVG: what points to it on the left, the
item in the middle, what it points to on the right."""

from dataclasses import dataclass

WIDTH, BOX_WIDTH, BOX_HEIGHT, GAP = 760, 200, 34, 12
SHOWN_PER_SIDE = 12


@dataclass
class Box:
    x: int
    y: int
    label: str
    url: str
    type_name: str


@dataclass
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str

    @property
    def middle(self) -> tuple[int, int]:
        return (self.x1 + self.x2) // 2, (self.y1 + self.y2) // 2 - 4


def _column(items, x: int) -> list[Box]:
    return [Box(x, GAP + index * (BOX_HEIGHT + GAP), ci.name, ci.get_absolute_url(),
                ci.type.name) for index, ci in enumerate(items[:SHOWN_PER_SIDE])]


def layout(ci, outgoing, incoming) -> dict:
    left = _column([edge.source for edge in incoming], 0)
    right = _column([edge.target for edge in outgoing], WIDTH - BOX_WIDTH)
    rows = max(len(left), len(right), 1)
    height = GAP + rows * (BOX_HEIGHT + GAP)
    centre = Box((WIDTH - BOX_WIDTH) // 2, (height - BOX_HEIGHT) // 2, ci.name,
                 ci.get_absolute_url(), ci.type.name)
    middle = centre.y + BOX_HEIGHT // 2
    lines = [Line(box.x + BOX_WIDTH, box.y + BOX_HEIGHT // 2, centre.x, middle,
                  edge.get_kind_display()) for box, edge in zip(left, incoming, strict=False)]
    lines += [Line(centre.x + BOX_WIDTH, middle, box.x, box.y + BOX_HEIGHT // 2,
                   edge.get_kind_display()) for box, edge in zip(right, outgoing, strict=False)]
    return {"width": WIDTH, "height": height, "box_width": BOX_WIDTH, "box_height": BOX_HEIGHT,
            "boxes": [*left, centre, *right], "centre": centre, "lines": lines,
            "hidden": max(0, len(incoming) - SHOWN_PER_SIDE)
            + max(0, len(outgoing) - SHOWN_PER_SIDE)}
