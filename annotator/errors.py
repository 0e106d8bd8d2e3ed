"""One exception hierarchy. Every message a user sees carries a stable code and says how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from annotator.domain.names import printable


class AnnotatorError(Exception):
    """Base of every error that is meant to reach a user as one plain line."""

    code = "A000"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        # A message with a list under it keeps its first line whole (code, what happened, how to fix it),
        # so that a user, a log grep or a dialog title sees one coded line before the list.
        first, newline, rest = self.message.partition("\n")
        text = f"[{self.code}] {first}"
        if self.hint:
            colon = first.endswith(":")
            text = f"{text[:-1] if colon else text} ({self.hint}){':' if colon else ''}"
        return text + newline + rest


class UsageError(AnnotatorError):
    """A wrong option, an unknown format or project name."""

    code = "A001"


_ONE_LINE = str.maketrans({c: ascii(c)[1:-1] for c in "\n\r\x0b\x0c\x85\u2028\u2029"})


class ImportFormatError(AnnotatorError):
    """A file, line or field that cannot be read. Names the place: file, line, field."""

    code = "A010"

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str = "",
    ) -> None:
        self.path = None if path is None else Path(path)
        self.line = line
        self.field = field
        where = []
        if self.path is not None:
            where.append(printable(str(self.path)))
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f'field "{field}"')
        self.detail = message
        # A reader may quote a key, a label or a file name that holds a line break: the message stays one line.
        text = f"{', '.join(where)}: {message}" if where else message
        super().__init__(text.translate(_ONE_LINE), hint=hint.translate(_ONE_LINE))


class MissingFileError(ImportFormatError):
    code = "A011"


class UnknownFormatError(ImportFormatError):
    code = "A012"


class SpanRuleError(AnnotatorError):
    """A span that breaks a rule of the domain (out of range, empty, overlapping its own label)."""

    code = "A020"


LISTED = 20  # a message lists this many items, then says how many more there are


def listed(items: Sequence[str], total: int | None = None) -> list[str]:
    """The first LISTED items indented for a message under its coded line, then "... and N more" of `total`
    (all of `items` when it is not given: a caller may keep only the first ones and count the rest)."""
    total = len(items) if total is None else total
    shown = [f"  {item}" for item in items[:LISTED]]
    return shown + ([f"  ... and {total - len(shown)} more"] if total > len(shown) else [])


class ExportAlignmentError(AnnotatorError):
    """Spans that do not fall on token boundaries; the export stops and lists them."""

    code = "A030"

    def __init__(self, misaligned: Sequence[tuple[str, int, int, str, str]]) -> None:
        self.misaligned = list(misaligned)
        lines = listed([f"document {doc!r} [{start}:{end}] {label} {text!r}"
                        for doc, start, end, label, text in misaligned[:LISTED]], len(misaligned))
        super().__init__(
            f"{len(misaligned)} span(s) do not fall on token boundaries; nothing was written:\n" + "\n".join(lines),
            hint="fix them, or export with --align expand to snap them outward to whole tokens",
        )


class ExportError(AnnotatorError):
    code = "A031"


class StorageError(AnnotatorError):
    """The database cannot be opened, read or written."""

    code = "A040"


class DatabaseLockedError(StorageError):
    code = "A041"


class DatabaseReadOnlyError(StorageError):
    code = "A042"


class DatabaseCorruptError(StorageError):
    code = "A043"


class DatabaseTooNewError(StorageError):
    code = "A044"


class DatabaseURLError(StorageError):
    code = "A045"


class LabelError(AnnotatorError):
    """A label name, key or colour that cannot be used."""

    code = "A050"


class NotFoundError(AnnotatorError):
    code = "A060"


class CommandLineError(UsageError):
    """An unknown option, a missing argument or a bad choice on the command line."""

    code = "A002"


class UnknownLanguageError(UsageError):
    """A project language that spaCy has no tokenizer for."""

    code = "A003"


class LabelNameError(LabelError):
    """A label name that cannot be stored: empty, too long, control characters, surrounding white space."""

    code = "A051"


class LabelInUseError(LabelError):
    """A label that spans still use; deleting it would delete them."""

    code = "A052"

    def __init__(self, message: str, *, spans: int, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.spans = spans


class ImportLabelError(ImportFormatError):
    """A label name in an imported file that cannot be stored; names the file, line and field."""

    code = "A053"


class OutputExistsError(ExportError):
    """--out names a file or folder that is already there; an export never writes over it unasked."""

    code = "A032"


class NotAnExportError(ExportError):
    """--replace was given, but what is at --out is not a previous export of that format."""

    code = "A033"


class UnsafeOutputError(ExportError):
    """--out is a symbolic link, a device, a pipe or another thing that is not a plain file or folder."""

    code = "A034"


class ProtectedOutputError(ExportError):
    """--out is the database itself or one of its -wal, -shm or -journal files."""

    code = "A035"


class OutputWriteError(ExportError):
    """The export cannot be written there: no permission, a read-only or full disk, a system folder."""

    code = "A036"


class DatabaseUnreachableError(StorageError):
    """The server cannot be reached, refuses the login, or does not answer within the connect timeout."""

    code = "A046"


class DatabaseDriverError(StorageError):
    """The URL names a database driver that is not installed."""

    code = "A047"


class DatabaseConflictError(StorageError):
    """A serialization failure or deadlock (SQLSTATE 40001, 40P01): the same change may succeed if tried again."""

    code = "A048"


class SpanEdgeError(SpanRuleError):
    """An edge key that cannot move a span's edge: no word left to take, or the span would be empty."""

    code = "A215"


class SpanChangedError(AnnotatorError):
    """An undo or redo step whose span was removed or changed by someone else: it refuses to touch it."""

    code = "A091"


class NoDisplayError(AnnotatorError):
    """The window has no screen to open on (no display, or Qt's platform plugin for it failed)."""

    code = "A070"


class DatabaseBusyError(DatabaseLockedError):
    """The window's write met another program's write lock and was not made (the window does not wait long)."""

    code = "A071"


class LinkLoopError(ImportFormatError):
    """A folder reached again while walking an input folder (a symbolic link loop): it is read once."""

    code = "A061"


class NotRegularFileError(ImportFormatError):
    """A FIFO, device or socket: never opened, since reading one may block or never end."""

    code = "A062"


class UnreadableEntryError(ImportFormatError):
    """An entry of an input folder that cannot be looked at (a link to nothing, no permission)."""

    code = "A063"


class TooDeepError(ImportFormatError):
    """JSON (or meta) nested deeper than Python's parser, or annotator's storage, can follow."""

    code = "A013"


class NumberTooLongError(ImportFormatError):
    """A whole number with more digits than Python reads (4,300), or an offset no text can reach."""

    code = "A014"


class LoneSurrogateError(ImportFormatError):
    """A string holding half of a UTF-16 pair ("\\ud800"): no database and no UTF-8 file can store it."""

    code = "A015"


class NotANumberError(ImportFormatError):
    """NaN or Infinity: Python's JSON reader takes them, but they are not JSON and no JSON writer may emit them."""

    code = "A016"


class FieldTooLongError(ImportFormatError):
    """A name longer than the database holds (an annotator name over 200 characters)."""

    code = "A017"


class DamagedDocBinError(ImportFormatError):
    """A .spacy file that spaCy cannot read back: truncated, damaged or saved without its strings."""

    code = "A018"


class LabelKindError(LabelError):
    """A label kind other than entity or statement."""

    code = "A054"


class RelationError(AnnotatorError):
    """A relation that breaks the schema: an unknown type, labels the type does not join, two layers."""

    code = "A120"


class FigureError(AnnotatorError):
    """A FIGURE's normalised attributes that cannot be read back (a bad qualifier, a value that is not a number)."""

    code = "A121"


class SuggestionSourceError(AnnotatorError):
    """A suggestion source that cannot be used: an unknown name, a missing or broken spaCy pipeline."""

    code = "A130"


class PipelineNotFoundError(SuggestionSourceError):
    code = "A131"


class PipelineLoadError(SuggestionSourceError):
    code = "A132"


class ModelPartMissingError(PipelineLoadError):
    """A trained model whose config names a registered part (such as a suggester) that this version of annotator
    does not have: made by another version; training it again makes one this version loads."""

    code = "A220"


class LabelMappingError(SuggestionSourceError):
    """A label mapping whose target is neither a label of the project nor a role the project's labels fill."""

    code = "A133"


class TooFewAnnotatorsError(UsageError):
    """Agreement asked of a project that fewer than two annotators have worked on."""

    code = "A110"


class UnknownLabelsError(UsageError):
    """--labels names a label the project does not have."""

    code = "A111"


class TrainingError(AnnotatorError):
    """Training data that cannot make a model: too few finished documents, no spans to learn from."""

    code = "A140"


class TooFewDocumentsError(TrainingError):
    code = "A141"


class NoSpansToLearnError(TrainingError):
    code = "A142"


class TrainingCancelledError(TrainingError):
    """Training stopped by the user (Ctrl+C, Cancel): nothing was written."""

    code = "A143"


class ModelFolderExistsError(TrainingError):
    code = "A144"


class UnknownLayerError(UsageError):
    """`--layer NAME` names no layer of the project (the message lists the ones there are)."""

    code = "A155"


class AmbiguousLayerError(UsageError):
    """`--layer NAME` names two layers (a person and a model of the same name)."""

    code = "A156"


class NeedsPostgresError(UsageError):
    """A team command (roles, row-level security) run on a SQLite file, which has neither."""

    code = "A170"


class PermissionDeniedError(StorageError):
    """PostgreSQL refused a write this role may not make (another annotator's spans, gold, labels)."""

    code = "A171"


class MergeSourceError(StorageError):
    """The database to merge from cannot be read: missing, not SQLite, not annotator's, of a newer annotator."""

    code = "A172"


class AssignmentError(UsageError):
    """An assignment that cannot be made: no annotators, more per document than annotators."""

    code = "A173"




class RelationRefusedError(RelationError):
    """A link the database cannot make or undo as asked: a span gone, spans of two documents, already linked."""

    code = "A160"


class RelationSpanMissingError(ImportFormatError):
    """A relation in a file that names a span the file does not hold (brat `R` line, Prodigy, Label Studio...)."""

    code = "A161"


class RelationTypeError(RelationError):
    """A relation type that cannot be added or deleted (already there, labels the project lacks, the last one)."""

    code = "A162"


class FigureSpanError(FigureError):
    """`annotator figure SPAN_ID` on a span that is missing or not of a figure label."""

    code = "A163"


class ImportRelationError(ImportFormatError):
    """A relation in a file that goes between labels its type does not join in the project (said_by SOURCE -> CLAIM)."""

    code = "A164"


class ReviewError(AnnotatorError):
    """Review into gold asked for something it cannot do."""

    code = "A190"


class ReviewSettingError(ReviewError):
    """A review setting out of range (--min-annotators below 1)."""

    code = "A191"


class ReviewNotAllowedError(ReviewError):
    """Review mode asked by a user whose database role may not write gold (team mode on PostgreSQL)."""

    code = "A192"




class TrainingLayerError(TrainingError):
    """A layer that training refuses: a model's (a model trained on a model's output learns its mistakes back), or
    every person's spans mixed together."""

    code = "A145"


class SuggestionError(AnnotatorError):
    """Filling a model layer, deciding on a suggestion or evaluating a layer went wrong."""

    code = "A180"


class SuggestInterruptedError(SuggestionError):
    code = "A181"


class NoTrainedModelError(SuggestionError):
    code = "A182"


class NothingToEvaluateError(SuggestionError):
    code = "A183"



class SourceFailedError(SuggestionSourceError):
    """A suggestion source that failed in the window in a way its own code did not foresee (an exception of a model's
    component); the window switches it off for the session."""

    code = "A225"


class OccurrencesCappedError(SuggestionSourceError):
    """Not raised: the note the window shows when a document repeats tagged strings more often than it lists."""

    code = "A226"
