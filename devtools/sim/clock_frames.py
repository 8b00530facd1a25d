"""Frames of the simulator's clock mode: every frame carries the wall-clock time it was made.

The picture (640x360 I420, grey background) holds
- at the top, a stripe of 40 cells of 16x32 pixels, black or white: the capture time as milliseconds of
  the UTC day, machine-readable (decoded by devtools/sim/clock-stripe.ts, which keeps the same layout):
  cell 0 white and cell 1 black (reference levels), cells 2-28 the 27 value bits (most significant first),
  cells 29-36 a CRC-8 (polynomial 0x07) of the value's four big-endian bytes, cells 37-39 white, black, white.
  Cells are a whole macroblock wide and two high, and black/white is the largest step there is, so the
  bits survive H.264 at the 1 Mbit/s the server encodes at;
- below it the same time in China time (UTC+8) as text for people, `YYYY-MM-DD HH:MM:SS.mmm`, in a 5x7
  bitmap font scaled four times (GStreamer's text overlays are not installed here);
- a white square moving along the bottom, so consecutive frames differ as a camera's do.
"""

WIDTH, HEIGHT, FPS = 640, 360, 25
CELLS, CELL_WIDTH, STRIPE_ROWS = 40, 16, 32
VALUE_BITS, CHECK_BITS = 27, 8
WHITE, BLACK, BACKGROUND = 235, 16, 60
TEXT_TOP, TEXT_LEFT, TEXT_SCALE = 56, 44, 4
MARK_TOP, MARK_SIZE = 300, 32
CHINA_OFFSET_MS = 8 * 3_600_000
DAY_MS = 86_400_000

FONT = {  # 5x7, one string per row, '#' = lit
    '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
    '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
    '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
    '3': ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
    '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
    '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
    '6': ['.###.', '#....', '#....', '####.', '#...#', '#...#', '.###.'],
    '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
    '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
    '9': ['.###.', '#...#', '#...#', '.####', '....#', '....#', '.###.'],
    '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
    ':': ['.....', '..#..', '..#..', '.....', '..#..', '..#..', '.....'],
    '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
    ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
}


def crc8(value):
    crc = 0
    for byte in value.to_bytes(4, 'big'):
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def stripe_bits(ms_of_day):
    value = [(ms_of_day >> (VALUE_BITS - 1 - i)) & 1 for i in range(VALUE_BITS)]
    check = crc8(ms_of_day)
    return [1, 0] + value + [(check >> (CHECK_BITS - 1 - i)) & 1 for i in range(CHECK_BITS)] + [1, 0, 1]


def china_text(epoch_ms):
    """`YYYY-MM-DD HH:MM:SS.mmm` in China time, without the time zone database (China has no DST)."""
    import datetime
    at = datetime.datetime.fromtimestamp((epoch_ms + CHINA_OFFSET_MS) / 1000, datetime.timezone.utc)
    return at.strftime('%Y-%m-%d %H:%M:%S') + '.%03d' % (epoch_ms % 1000)


class ClockFrames:
    """Renders I420 frames; the constant parts are built once."""

    def __init__(self):
        self.background_row = bytes([BACKGROUND]) * WIDTH
        self.chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
        self.text_rows = len(FONT['0']) * TEXT_SCALE
        self.count = 0

    def stripe_row(self, ms_of_day):
        cells = [bytes([WHITE if bit else BLACK]) * CELL_WIDTH for bit in stripe_bits(ms_of_day)]
        return b''.join(cells)

    def text_lines(self, text):
        lines = []
        for row in range(len(FONT['0'])):
            pixels = bytearray([BACKGROUND]) * WIDTH
            x = TEXT_LEFT
            for char in text:
                for column, lit in enumerate(FONT.get(char, FONT[' '])[row]):
                    if lit == '#':
                        start = x + column * TEXT_SCALE
                        pixels[start:start + TEXT_SCALE] = bytes([WHITE]) * TEXT_SCALE
                x += 6 * TEXT_SCALE
            lines.append(bytes(pixels) * TEXT_SCALE)
        return b''.join(lines)

    def mark_rows(self):
        x = (self.count * 8) % (WIDTH - MARK_SIZE)
        row = self.background_row[:x] + bytes([WHITE]) * MARK_SIZE + self.background_row[x + MARK_SIZE:]
        return row * MARK_SIZE

    def frame(self, epoch_ms):
        """One I420 frame showing `epoch_ms`."""
        self.count += 1
        luma = b''.join([
            self.stripe_row(epoch_ms % DAY_MS) * STRIPE_ROWS,
            self.background_row * (TEXT_TOP - STRIPE_ROWS),
            self.text_lines(china_text(epoch_ms)),
            self.background_row * (MARK_TOP - TEXT_TOP - self.text_rows),
            self.mark_rows(),
            self.background_row * (HEIGHT - MARK_TOP - MARK_SIZE),
        ])
        return luma + self.chroma
