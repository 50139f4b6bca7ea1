"""YAML mistakes explained: where a syntax error really is, what is wrong there and how to fix it.

PyYAML (libyaml) reports where it got stuck, often one line after the mistake and in its own terms ("mapping values
are not allowed in this context"). The people who write content files are not programmers and often type in a
Japanese input method: a full-width space or colon, a `・` bullet, a tab, curly quotes. This module looks at the
reported line and the few lines before it for such a mistake, and words it, with the line quoted and a `^` under
the column. It does not parse YAML itself: PyYAML's position stands whenever no known mistake is found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sitegen.messages import _, ngettext

# What YAML (PyYAML and libyaml alike) counts as a line break.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# Characters that look like a space, or like nothing, and are not one for YAML.
_FULL_WIDTH_SPACE = "\u3000"
_NO_BREAK_SPACE = "\u00a0"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_NOT_A_SPACE = _FULL_WIDTH_SPACE + _NO_BREAK_SPACE + _INVISIBLE
_FULL_WIDTH_COLON = "\uff1a"
# What an input method gives for "-" or a bullet: the long vowel mark, middle dot, full-width hyphen, dashes.
_LIST_MARKS = "\u30fc\u30fb\uff0d\u2010\u2212\u2013\u2014\u2022"
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\uff02\uff07"

_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
# The start of a line of a block mapping: indentation, an optional "- " list marker, a key and its colon.
_KEY_LINE = re.compile(rf"(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>{_KEY}):")


def yaml_lines(text: str) -> list[str]:
    """The lines of a YAML text as PyYAML numbers them (CRLF, CR and LF alike)."""
    return _LINE_BREAK.split(text)


def character_name(char: str) -> str:
    """A character named for a person who cannot see it: "a full-width space (U+3000)"."""
    names = {
        _FULL_WIDTH_SPACE: _("a full-width space"),
        _NO_BREAK_SPACE: _("a non-breaking space"),
        "\t": _("a tab"),
        "\u200b": _("a zero-width space"),
        "\ufeff": _("a byte order mark"),
        _FULL_WIDTH_COLON: _("a full-width colon"),
    }
    if char in names:
        name = names[char]
    elif char in _INVISIBLE:
        name = _("an invisible character")
    elif char in _CURLY_QUOTES:
        name = _("a curly quote '{char}'").format(char=char)
    else:
        name = f"'{char}'"
    return _("{name} ({code})").format(name=name, code=f"U+{ord(char):04X}")


def _spaces(count: int) -> str:
    return ngettext("{count} space", "{count} spaces", count).format(count=count)


def _replace_advice(char: str) -> str:
    if char == _FULL_WIDTH_SPACE:
        return _("Replace the full-width space with a normal space.")
    if char == _NO_BREAK_SPACE:
        return _("Replace the non-breaking space with a normal space.")
    if char == "\t":
        return _("Indent with spaces, not tabs.")
    return _("Delete the invisible character (it often comes with text copied from a web page or another file).")


@dataclass(frozen=True)
class Mistake:
    """One mistake found on a line: its 0-based column, what it is, and what to do (both worded for the user)."""

    column: int
    what: str
    fix: str


def _quoted(value: str) -> str:
    """`value` as a YAML double-quoted text, for advice to copy."""
    if len(value) > 40:
        value = value[:39] + "…"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _closing_quote(line: str, start: int) -> int:
    """The index of the quote closing the one at `start`, or -1 when it is not closed on this line."""
    quote, index = line[start], start + 1
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and line[index + 1 : index + 2] == "'":  # '' is a quote inside single quotes
                index += 2
                continue
            return index
        index += 1
    return -1


def _closing_bracket(line: str, start: int) -> int:
    """The index of the bracket closing the one at `start` (quotes inside are skipped), or -1."""
    depth, index = 0, start
    while index < len(line):
        char = line[index]
        if char in "\"'" and index > start:
            end = _closing_quote(line, index)
            if end < 0:
                return -1
            index = end
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _indentation_mistake(line: str) -> Mistake | None:
    """A tab or a space-like character in the indentation (or a line of nothing but those)."""
    for index, char in enumerate(line):
        if char == " ":
            continue
        if char == "\t" or char in _NOT_A_SPACE:
            return Mistake(
                index, _("{char} in the indentation").format(char=character_name(char)), _replace_advice(char)
            )
        return None
    return None


def _list_mark_mistake(line: str) -> Mistake | None:
    stripped = line.lstrip(" ")
    index = len(line) - len(stripped)
    if stripped[:1] in tuple(_LIST_MARKS):
        return Mistake(
            index,
            _("{char} used as a list marker").format(char=character_name(stripped[0])),
            _("Start each list item with '-' (a normal hyphen) and a space: - item"),
        )
    if stripped.startswith("-") and len(stripped) > 1 and stripped[1] in _NOT_A_SPACE:
        return Mistake(
            index + 1,
            _("{char} after the list marker '-'").format(char=character_name(stripped[1])),
            _replace_advice(stripped[1]),
        )
    if stripped.startswith("-") and len(stripped) > 1 and stripped[1] not in " -\t":
        return Mistake(index + 1, _("no space after the list marker '-'"), _("Put a space after '-': - item"))
    return None


def _colon_mistake(line: str) -> Mistake | None:
    """A full-width colon, or a colon without a space, after a key."""
    match = re.match(rf"[ ]*(?:-[ ]+)?(?P<key>{_KEY})(?P<colon>[:{_FULL_WIDTH_COLON}])", line)
    if not match:
        return None
    key, at = match["key"], match.end("colon")
    if match["colon"] == _FULL_WIDTH_COLON:
        return Mistake(
            at - 1,
            _("{char} after '{key}' where YAML needs ':'").format(char=character_name(_FULL_WIDTH_COLON), key=key),
            _("Replace '：' with ':' followed by a normal space: {key}: value").format(key=key),
        )
    following = line[at : at + 1]
    if following in tuple(_NOT_A_SPACE):
        return Mistake(
            at, _("{char} after '{key}:'").format(char=character_name(following), key=key), _replace_advice(following)
        )
    if following and following not in " \t/":  # `https://…` is no key: a text continued from the line above
        return Mistake(
            at,
            _("no space after '{key}:'").format(key=key),
            _("Put a space after the colon: {key}: value").format(key=key),
        )
    return None


def _after_value(column: int, char: str) -> Mistake:
    """A space-like character after a quoted value or a closing bracket, where YAML allows only spaces."""
    return Mistake(
        column, _("{char} after the end of the value").format(char=character_name(char)), _replace_advice(char)
    )


def _value_mistake(line: str) -> Mistake | None:
    """The value after `key: ` (or after `- `): curly quotes, characters that cannot start it, text after a
    closing quote, an unclosed quote, a second `: ` that is not in quotes."""
    match = _KEY_LINE.match(line)
    if match:
        key, start = match["key"], match.end()
    else:
        item = re.match(r"[ ]*-[ ]+", line)
        if not item:
            return None
        key, start = "", item.end()
    while start < len(line) and line[start] == " ":
        start += 1
    value = line[start:]
    if not value or value.startswith("#"):
        return None
    first = value[0]
    example = f"{key}: " if key else "- "
    if first in _CURLY_QUOTES:
        return Mistake(
            start,
            _("{char} at the start of the value: YAML reads only straight quotes as quotes").format(
                char=character_name(first)
            ),
            _("Use straight quotes around the value: {example}").format(
                example=example + _quoted(value.strip(_CURLY_QUOTES))
            ),
        )
    if first in "@`%":
        return Mistake(
            start,
            _("a value cannot start with '{char}'").format(char=first),
            _("Put the value in quotes: {example}").format(example=example + _quoted(value)),
        )
    if first in "*&!" or value.startswith("? "):
        return Mistake(
            start,
            _("a value starting with '{char}' means something else in YAML").format(char=first),
            _("Put the value in quotes: {example}").format(example=example + _quoted(value)),
        )
    if first in "\"'":
        end = _closing_quote(line, start)
        if end < 0:
            return Mistake(
                start,
                _("the quote {quote} is not closed on this line").format(quote=first),
                _("Add the closing {quote} at the end of the value.").format(quote=first),
            )
        rest = line[end + 1 :]
        after = len(rest) - len(rest.lstrip(" "))
        if rest[after:] and rest[after] in _NOT_A_SPACE:
            return _after_value(end + 1 + after, rest[after])
        if rest[after:] and not (after and rest[after] == "#"):
            if rest[0] == "#":
                return Mistake(
                    end + 1, _("'#' right after the closing quote"), _("Put a space before '#' to start a comment.")
                )
            if first == "'" and rest[0].isalpha():
                advice = _("Inside single quotes, write an apostrophe twice (''), or put the value in double quotes.")
            else:
                advice = _("Quote the whole value: the text must end at its closing quote.")
            return Mistake(end + 1 + after, _("text after the closing quote of the value"), advice)
        return None
    if first in "[{":  # a list or mapping in brackets; text after its closing bracket was meant as text
        end = _closing_bracket(line, start)
        comment = re.search(r"[ ,\[{]#", value)
        if comment and (end < 0 or start + comment.start() < end):  # `[python, #AI]`: the hashtag starts a comment
            return Mistake(
                start + comment.end() - 1,
                _("'#' starts a comment here: YAML ignores the rest of the line"),
                _("Put text starting with '#' in quotes: \"#text\""),
            )
        rest = line[end + 1 :] if end >= 0 else ""
        after = len(rest) - len(rest.lstrip(" "))
        if rest[after:] and rest[after] in _NOT_A_SPACE:
            return _after_value(end + 1 + after, rest[after])
        if rest.strip() and not rest.strip().startswith("#") and not rest.lstrip().startswith((",", "]", "}")):
            return Mistake(
                end + 1 + len(rest) - len(rest.lstrip()),
                _("text after the closing '{char}': YAML reads '{opening}…{char}' as a list").format(
                    char=line[end], opening=first
                )
                if first == "["
                else _("text after the closing '{char}': YAML reads '{opening}…{char}' as a mapping").format(
                    char=line[end], opening=first
                ),
                _("If the brackets are part of the text, put the whole value in quotes: {example}").format(
                    example=example + _quoted(value.split(" #")[0].rstrip())
                ),
            )
        return None
    if value.startswith("- "):
        return Mistake(
            start,
            _("a list item on the same line as '{key}:'").format(key=key),
            _(
                "Start the list on the next line, indented under '{key}:'; if '-' is part of the text, put the value "
                "in quotes."
            ).format(key=key),
        )
    if first in "|>" and re.match(r"[|>][0-9+-]*[ ]*[^ #0-9+-]", value):
        return Mistake(
            start,
            _("text after '{char}' on the same line").format(char=first),
            _(
                "The text of '{char}' starts on the next line, indented; if '{char}' is part of the text, "
                "put the value in quotes."
            ).format(char=first),
        )
    text = value.split(" #")[0].rstrip()
    colon = text.find(": ")
    if colon < 0 and text.endswith(":"):
        colon = len(text) - 1
    if colon >= 0:
        return Mistake(
            start + colon,
            _("a second ': ' in the value of '{key}'").format(key=key)
            if key
            else _("a ': ' inside a list item's text"),
            _("Put text containing ': ' in quotes: {example}").format(example=example + _quoted(text)),
        )
    return None


def _invisible_anywhere(line: str) -> Mistake | None:
    for index, char in enumerate(line):
        if char in _INVISIBLE:
            return Mistake(index, character_name(char), _replace_advice(char))
    return None


# In order: the first that finds a mistake on a line explains it.
_LINE_CHECKS = (_indentation_mistake, _list_mark_mistake, _colon_mistake, _value_mistake, _invisible_anywhere)


def line_mistake(line: str) -> Mistake | None:
    """The first known mistake on one line, if any."""
    for check in _LINE_CHECKS:
        mistake = check(line)
        if mistake:
            return mistake
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    stripped = line.strip(" ")
    return not stripped or stripped.startswith("#")


def _over_indented(lines: list[str], number: int) -> Mistake | None:
    """`key: value` followed by a line indented more: YAML reads it as the continuation of the value."""
    line = lines[number]
    previous = next((n for n in range(number - 1, -1, -1) if not _blank(lines[n])), None)
    if previous is None:
        return None
    above = _KEY_LINE.match(lines[previous])
    if not above or _indent(line) <= _indent(lines[previous]) or not lines[previous][above.end() :].strip():
        return None
    key_above = above["key"]
    return Mistake(
        _indent(line),
        _("this line is indented more than '{key}' above it, which already has a value").format(key=key_above),
        _("Indent it like '{key}' ({spaces}), or, if it belongs under '{key}', leave '{key}:' without a value.").format(
            key=key_above, spaces=_spaces(above.start("key"))
        ),
    )


_BLOCK_START = re.compile(r"[ ]*(?:-[ ]+)?(?:[^ #][^#]*?:[ ]+)?[|>][0-9+-]*[ ]*(?:#.*)?$")


def _block_text_lines(lines: list[str], last: int) -> set[int]:
    """The lines (0-based, before `last`) inside a `|` or `>` text: Markdown such as `- 課題: 提出` there is
    text, not YAML, and must not be taken for the mistake."""
    inside: set[int] = set()
    number = 0
    while number < last:
        if _BLOCK_START.match(lines[number]):
            indent = _indent(lines[number])
            number += 1
            while number < last and (not lines[number].strip(" ") or _indent(lines[number]) > indent):
                inside.add(number)
                number += 1
        else:
            number += 1
    return inside


def _indentation_levels(lines: list[str], first: int, last: int) -> list[int]:
    """The columns (0-based) where the keys and list items of lines first..last-1 start; `  - id:` has two."""
    levels = set()
    text_lines = _block_text_lines(lines, last)
    for number, line in enumerate(lines[first:last], first):
        if not _blank(line) and number not in text_lines:
            levels.add(_indent(line))
            item = re.match(r"[ ]*(?:-[ ]+)+", line)
            if item:
                levels.add(item.end())
    return sorted(levels)


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based
    column: int  # 1-based
    message: str  # several lines: what and where, the line quoted with a marker, the advice


def _width(text: str) -> int:
    """How many terminal columns `text` takes (Japanese characters take two, invisible ones none)."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def quote_line(text: str, line: int, column: int) -> str:
    """The line `text`, numbered `line`, with a ^ under the column; long lines are cut around it."""
    index = max(0, min(column - 1, len(text)))
    start, end = max(0, index - 50), min(len(text), index + 50)
    # "..." rather than "…": a Japanese terminal may draw "…" two columns wide and move the marker.
    shown = ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
    before = ("..." if start else "") + text[start:index]
    # A tab would move the rest of the line to the next tab stop: it shows as one space.
    shown, before = shown.replace("\t", " "), before.replace("\t", " ")
    number = str(line)
    return f"    {number} | {shown}\n    {' ' * len(number)} | {' ' * _width(before)}^"


def message(lines: list[str], line: int, column: int, what: str, fix: str) -> str:
    """The message of a YAML mistake as the CLI prints it after "path:line: error: "."""
    head = _("YAML syntax error at column {column}: {what}").format(column=column, what=what)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"{head}\n{quote_line(text, line, column)}\n    {fix}"


def _explained(lines: list[str], line0: int, mistake: Mistake) -> Explained:
    return Explained(
        line0 + 1, mistake.column + 1, message(lines, line0 + 1, mistake.column + 1, mistake.what, mistake.fix)
    )


def explain(text: str, problem: str | None, problem_mark, context: str | None, context_mark) -> Explained:
    """A PyYAML syntax error (its problem, context and their 0-based marks) explained at the mistake."""
    lines = yaml_lines(text)
    problem = problem or context or ""
    context = context or ""
    mark = problem_mark or context_mark
    if mark is None:
        return Explained(0, 0, _("YAML syntax error: {problem}").format(problem=problem))
    line0, column0 = min(mark.line, len(lines) - 1), mark.column
    here = lines[line0]

    # Mistakes PyYAML finds where they begin: an unclosed quote or bracket, seen only at the end.
    unclosed = "end of stream" in problem or "document" in problem
    backslash = here.rfind("\\", 0, column0 + 1)
    if context_mark is not None and "quoted scalar" in context and not unclosed and backslash >= 0:
        # `"C:\Users\…"`: in double quotes a backslash starts an escape; PyYAML points after it
        return _explained(
            lines,
            line0,
            Mistake(
                backslash,
                _("a backslash (\\) inside double quotes starts an escape sequence, such as \\n"),
                _("Put the value in single quotes instead, or write each backslash twice (\\\\)."),
            ),
        )
    if context_mark is not None and "quoted scalar" in context and unclosed:
        quote = lines[context_mark.line][context_mark.column : context_mark.column + 1] or '"'
        return _explained(
            lines,
            context_mark.line,
            Mistake(
                context_mark.column,
                _("the quote {quote} is never closed").format(quote=quote),
                _("Add the closing {quote} at the end of the value.").format(quote=quote),
            ),
        )
    if context_mark is not None and "flow" in context and context_mark.line < line0:
        opening_line = lines[context_mark.line]
        mistake = _value_mistake(opening_line)
        if mistake and mistake.column > context_mark.column:  # e.g. a hashtag that hides the closing bracket
            return _explained(lines, context_mark.line, mistake)
        # A list or mapping in brackets may span lines: only one never closed is explained at its start.
        if _closing_bracket("\n".join(lines[context_mark.line :]), context_mark.column) < 0:
            opening = opening_line[context_mark.column : context_mark.column + 1] or "["
            closing = {"[": "]", "{": "}"}.get(opening, "]")
            return _explained(
                lines,
                context_mark.line,
                Mistake(
                    context_mark.column,
                    _("the '{opening}' is never closed by '{closing}'").format(opening=opening, closing=closing),
                    _(
                        "Add the closing '{closing}', or, if the brackets are part of the text, put the whole value "
                        "in quotes."
                    ).format(closing=closing),
                ),
            )
    if "single document" in context:
        return _explained(
            lines,
            line0,
            Mistake(
                column0,
                _("a second document starts here ('---')"),
                _("A content file holds one document: remove the '---' line (or move what follows to its own file)."),
            ),
        )
    if "tab character" in problem or (column0 < len(here) and here[column0] == "\t"):
        tab = here.find("\t")
        return _explained(
            lines,
            line0,
            Mistake(
                max(tab, 0), _("{char} in the indentation").format(char=character_name("\t")), _replace_advice("\t")
            ),
        )

    # A known mistake on the reported line, or just before it (a plain text can run on to the next line).
    candidates = [line0]
    if "simple key" in context and context_mark is not None:  # the text YAML took for a key starts there
        candidates = [context_mark.line, line0]
    for number in candidates:
        mistake = line_mistake(lines[number])
        if mistake:
            return _explained(lines, number, mistake)
    if "mapping values" in problem:
        over = _over_indented(lines, line0)
        if over:
            return _explained(lines, line0, over)
    text_lines = _block_text_lines(lines, line0)
    earlier = [n for n in range(line0 - 1, -1, -1) if not _blank(lines[n]) and n not in candidates]
    earlier = [n for n in earlier if n not in text_lines][:3]
    for number in earlier:
        mistake = line_mistake(lines[number])
        if mistake:
            return _explained(lines, number, mistake)

    # Nothing known: PyYAML's position, its problem in plainer words.
    char = here[column0] if column0 < len(here) else ""
    if "could not find expected ':'" in problem and context_mark is not None:
        key_line = lines[context_mark.line]
        return _explained(
            lines,
            context_mark.line,
            Mistake(
                len(key_line.rstrip()),
                _("no ':' after '{text}'").format(text=key_line.strip()[:40]),
                _(
                    "Write 'key: value' (a colon and a space). If this line continues the text above, indent it "
                    "more than that text's key."
                ),
            ),
        )
    if char in "]}" and char and "expected key" in problem:
        return _explained(
            lines,
            line0,
            Mistake(
                column0, _("an extra '{char}'").format(char=char), _("Delete it, or put the whole value in quotes.")
            ),
        )
    if ("expected key" in problem or "'-' indicator" in problem or "block end" in problem) and column0 == _indent(here):
        first = context_mark.line if context_mark is not None else 0
        levels = _indentation_levels(lines, first, line0)
        if column0 not in levels:
            return _explained(
                lines,
                line0,
                Mistake(
                    column0,
                    _("the indentation of this line ({spaces}) matches none of the lines above").format(
                        spaces=_spaces(column0)
                    ),
                    _(
                        "Line it up with the key or list item it belongs to "
                        "(the lines above are indented by {levels} spaces)."
                    ).format(levels=", ".join(str(level) for level in levels)),
                ),
            )
        return _explained(
            lines,
            line0,
            Mistake(
                column0,
                _("a key and a list item at the same indentation"),
                _("A key holds either a list ('- ' items) or keys, not both: indent the list items under their key."),
            ),
        )
    if "mapping values" in problem:
        return _explained(
            lines,
            line0,
            Mistake(
                column0,
                _("a ': ' where YAML does not expect a new key"),
                _("If it is part of the text, put the whole value in quotes."),
            ),
        )
    if "',' or" in problem and context_mark is not None:
        closing = "}" if "'}'" in problem else "]"
        if char == ":":  # `{hash: x salt: y}`: YAML read "x salt" as one text; the comma belongs before "salt"
            word = re.search(r"[^ ,\[{]*$", here[:column0])
            column0 = word.start() if word else column0
        return _explained(
            lines,
            line0,
            Mistake(
                column0,
                _("a ',' or the closing '{closing}' is missing here").format(closing=closing),
                _("Separate the items with ', '; put an item containing ',', ':', '#' or quotes in quotes."),
            ),
        )
    if "cannot start any token" in problem and char:
        return _explained(
            lines,
            line0,
            Mistake(column0, _("a value cannot start with '{char}'").format(char=char), _("Put the value in quotes.")),
        )
    return _explained(
        lines,
        line0,
        Mistake(
            column0,
            _plain_words(problem),
            _("Check the line and the one above it: quotes, colons and indentation."),
        ),
    )


def _plain_words(problem: str) -> str:
    """PyYAML's problems that no known mistake explained, in the user's words and language where we can."""
    if "expected node content" in problem:
        return _("a value is missing here")
    if "comment or line break" in problem:
        return _("nothing else may follow here on this line")
    if "unexpected ':'" in problem:
        return _("a ':' where YAML does not expect one")
    if "expected key" in problem or "block end" in problem:
        return _("text where YAML expects the next key")
    if "block sequence entries" in problem:
        return _("a '- ' list item where YAML does not expect one")
    return problem


def odd_key(key: str) -> Mistake | None:
    """A key that parsed, but holds what is a mistake in a key (column within the key): a full-width or
    invisible space, a full-width colon, a list marker from an input method. Content keys are plain names."""
    mistake = _indentation_mistake(key) or _list_mark_mistake(key)
    if mistake:
        return mistake
    for index, char in enumerate(key):
        if char in _NOT_A_SPACE or char == "\t":
            return Mistake(
                index,
                _("{char} in the key '{key}'").format(char=character_name(char), key=key.strip(_NOT_A_SPACE)),
                _replace_advice(char),
            )
        if char == _FULL_WIDTH_COLON:
            return _colon_mistake(key) or Mistake(
                index,
                character_name(char),
                _("Replace '：' with ':' followed by a normal space: {key}: value").format(key=key[:index]),
            )
    return None


def decoding_problem(data: bytes, start: int) -> tuple[int, int, str]:
    """A file that is not UTF-8: the line and column of the first byte that is not, and a message saying which
    encoding it seems to be in (Excel and Notepad on Japanese Windows save Shift_JIS) and how to save it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, label = "utf-16", _("UTF-16 (“Unicode” in Notepad)")
    else:
        encoding, label = "utf-8", ""
        for candidate, name in (
            ("cp932", _("Shift_JIS (the Japanese Windows encoding)")),
            ("cp1252", "Windows-1252"),
        ):
            try:
                data.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding, label = candidate, name
            break
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data[:start].count(b"\n") + 1
    line_end = data.find(b"\n", start)
    raw_line = data[line_start : line_end if line_end >= 0 else len(data)]
    shown = raw_line.decode(encoding, errors="replace").rstrip("\r")
    column = len(data[line_start:start].decode(encoding, errors="replace")) + 1
    if encoding == "utf-16":
        line, column, shown = 1, 1, ""
    head = (
        _("not UTF-8 text: it seems saved as {encoding}").format(encoding=label)
        if label
        else _("not UTF-8 text (at byte {byte})").format(byte=start)
    )
    fix = _("Save the file as UTF-8 (Notepad: File > Save As > Encoding: UTF-8; other editors have the same choice).")
    if not shown:
        return line, column, f"{head}\n    {fix}"
    return line, column, f"{head}\n{quote_line(shown, line, column)}\n    {fix}"
