/**
 * Name tables for the scanner. A global is judged by what importing or
 * calling it lets a pickle do (DESIGN.md section 6): run code, start
 * processes, touch files/network/interpreter state, or load further
 * pickles. The tables are written from the Python standard library's and
 * the ML libraries' documented behaviour, covering the modules the public
 * scanner blocklists (picklescan, modelscan, fickling) name plus the ones
 * their published bypasses used (pkgutil.resolve_name, pydoc.locate,
 * idlelib/lib2to3/profile/trace/doctest helpers, uuid/_aix_support/
 * _osx_support command runners, torch developer tools, numpy.f2py/testing).
 * Names are matched after normalising Python 2 spellings (risk.ts).
 */
import { allowlistedNames } from "../allowlist/index.js";

/**
 * Dotted prefixes whose every member is dangerous: `os` matches `os.system`
 * and `os.path.x` (exceptions below), `torch.hub` matches `torch.hub.load`.
 */
export const DANGEROUS_PREFIXES: ReadonlyMap<string, string> = new Map([
  // processes and the OS
  ...pref("runs commands or touches the operating system", [
    "os", "posix", "nt", "subprocess", "_posixsubprocess", "pty", "tty", "termios", "fcntl", "resource", "signal",
    "commands", "popen2", "pexpect", "sh", "plumbum", "fabric", "invoke", "paramiko", "_winapi", "winreg", "_winreg",
    "msvcrt", "_osx_support", "_aix_support", "_pyrepl", "mailcap", "multiprocessing", "_multiprocessing",
    "concurrent", "threading", "_thread", "thread", "atexit", "asyncio", "asyncore", "asynchat", "uvloop",
    "ensurepip", "pip", "setuptools", "distutils", "pkg_resources", "venv", "site", "sitecustomize", "_sitebuiltins",
    "shutil", "tempfile", "glob", "fileinput", "linecache", "shelve", "dbm", "anydbm", "sqlite3", "mmap", "zipfile",
    "tarfile", "select", "selectors", "gc", "_io", "_pyio", "io",
  ]),
  // code execution and interpreter internals
  ...pref("executes code or reaches interpreter internals", [
    "sys", "code", "codeop", "importlib", "imp", "zipimport", "pkgutil", "runpy", "marshal", "ctypes", "_ctypes", "cffi",
    "pdb", "bdb", "trace", "profile", "cProfile", "_lsprof", "timeit", "pydoc", "doctest", "unittest", "test", "idlelib",
    "lib2to3", "cgitb", "cgi", "webbrowser", "antigravity", "dill", "cloudpickle", "srsly", "_pickle", "pickle",
    "cPickle", "copyreg.add_extension", "copyreg.remove_extension", "copyreg.clear_extension_cache", "copyreg.pickle",
    "copyreg.constructor", "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib", "numpy.load",
    "numpy.lib.npyio", "numpy.lib.format", "numpy.lib.utils", "numpy.save", "numpy.savez", "numpy.savez_compressed",
    "numpy.savetxt", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.fromregex", "numpy.memmap",
    "numpy.core.memmap", "numpy.__config__", "torch.load", "torch.save", "torch.serialization", "torch.hub",
    "torch._inductor", "torch._dynamo", "torch.utils.bottleneck", "torch.utils.collect_env", "torch.utils.cpp_extension",
    "torch.utils.data.datapipes", "torch.utils._config_module", "torch.fx.experimental", "torch.jit.load",
    "torch.jit._serialization", "torch.jit.unsupported_tensor_ops", "torch.jit.frontend", "torch.package",
    "torch.distributed", "torch.multiprocessing", "torch.compile",
    "torch.ops.load_library", "torch.classes.load_library", "torch.utils.checkpoint", "torch.testing",
    "joblib.load", "joblib.numpy_pickle.load", "joblib.parallel", "joblib.Parallel", "joblib.delayed",
    "joblib._memmapping_reducer", "joblib.externals", "pandas.read_pickle", "pandas.io", "pandas.eval",
    "numexpr.evaluate", "sympy.sympify", "sympy.parsing", "yaml.load", "yaml.unsafe_load", "yaml.full_load",
    "keras.models.load_model", "keras.saving", "tensorflow.io", "tensorflow.keras.models.load_model", "jinja2",
    "mako", "fickling", "picklescan", "modelscan",
  ]),
  // network
  ...pref("opens network connections", [
    "socket", "_socket", "ssl", "_ssl", "http", "httplib", "urllib", "urllib2", "urllib3", "requests", "aiohttp", "httpx",
    "ftplib", "smtplib", "smtpd", "imaplib", "poplib", "nntplib", "telnetlib", "xmlrpc", "xmlrpclib", "SimpleXMLRPCServer",
    "socketserver", "SocketServer", "wsgiref", "websocket", "websockets",
  ]),
  ...pref("runs code or touches the system", [
    "builtins.eval", "builtins.exec", "builtins.execfile", "builtins.compile", "builtins.open", "builtins.file",
    "builtins.getattr", "builtins.setattr", "builtins.delattr", "builtins.__import__", "builtins.breakpoint",
    "builtins.input", "builtins.raw_input", "builtins.globals", "builtins.locals", "builtins.vars", "builtins.apply",
    "builtins.reload", "builtins.help", "builtins.exit", "builtins.quit",
    "operator.attrgetter", "operator.methodcaller", "_operator.attrgetter", "_operator.methodcaller",
    "types.CodeType", "types.FunctionType", "types.LambdaType", "types.MethodType", "types.ModuleType",
    "types.BuiltinFunctionType", "types.BuiltinMethodType", "platform.popen", "platform._syscmd_ver",
    "platform._syscmd_file", "platform._syscmd_uname", "platform.architecture", "platform._popen",
    "logging.FileHandler", "logging.handlers", "logging.config", "logging.basicConfig", "codecs.open",
    "codecs.EncodedFile", "gzip.open", "gzip.GzipFile", "bz2.open", "bz2.BZ2File", "lzma.open", "lzma.LZMAFile",
    "tokenize.open", "uuid._get_command_stdout", "uuid._popen", "uuid._find_mac", "uuid._ifconfig_getnode",
    "uuid._ip_getnode", "uuid._arp_getnode", "uuid._lanscan_getnode", "uuid._netstat_getnode", "uuid._netbios_getnode",
    "uuid._unix_getnode", "uuid._load_system_functions", "uuid.getnode", "uuid._find_mac_near_keyword",
    "uuid._find_mac_under_heading",
  ]),
]);

function pref(reason: string, names: string[]): Array<[string, string]> {
  return names.map((n) => [n, reason]);
}

/**
 * Members of dangerous prefixes that compute on strings only (os.path
 * joins and splits paths without touching the disk). They stay
 * `suspicious`: not reconstructors, but unable to act on the system.
 */
export const HARMLESS_EXCEPTIONS: ReadonlySet<string> = new Set([
  "os.path.join",
  "os.path.basename",
  "os.path.dirname",
  "os.path.split",
  "os.path.splitext",
  "os.path.splitdrive",
  "os.path.normpath",
  "os.path.normcase",
  "os.path.isabs",
  "os.path.commonpath",
  "os.path.commonprefix",
  "os.path.sep",
  "io.BytesIO",
  "io.StringIO",
  "_io.BytesIO",
  "_io.StringIO",
  "numpy.lib.format.descr_to_dtype",
  // Looks a torch.layout up by name (torch/serialization.py); safe inside torch files (SAFE_TORCH_GLOBALS).
  "torch.serialization._get_layout",
]);

/**
 * Function names that run code, spawn processes or load nested pickles in
 * whatever module they live (used for modules missing from the prefix
 * table, and for attribute paths such as `Class.method`).
 */
export const DANGEROUS_LEAF_NAMES: ReadonlySet<string> = new Set([
  "system", "popen", "popen2", "popen3", "popen4", "spawn", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
  "spawnve", "spawnvp", "spawnvpe", "spawnv_passfds", "execl", "execle", "execlp", "execlpe", "execv", "execve",
  "execvp", "execvpe", "fork", "forkpty", "exec", "eval", "execfile", "runcode", "runsource", "runctx", "runcall",
  "run_code", "_run_code", "run_path", "run_module", "_run_module_code", "_run_module_as_main", "check_output",
  "check_call", "getoutput", "getstatusoutput", "pipepager", "pipe_pager", "tempfilepager", "runstring",
  "load", "loads", "load_source", "load_module", "load_model", "load_config", "import_module",
  "__import__", "resolve_name", "locate", "debug_script", "write_file", "_get_command_stdout", "_read_cmd_output",
  "_read_output", "_find_build_tool", "assert_python_ok", "assert_python_failure", "run_python_until_end",
  "spawn_python", "execWrapper", "getlincoef", "evaluate_guards_expression", "unsafe_load", "open", "urlopen",
  "urlretrieve", "create_connection", "getattr", "setattr", "delattr", "attrgetter", "methodcaller", "breakpoint",
  "set_trace", "interact", "startfile", "run_cprofile", "run_autograd_prof", "_run_pip", "basichandlers",
]);

/**
 * Safe for the scanner beyond the decoder's allowlist (allowlist/index.ts
 * `allowlistedNames()`), each with why the decoder does not list it:
 * singletons and Python 2 spellings it resolves by name, the copyreg
 * object protocol it runs itself (reconstruct.ts) rather than as an
 * allowlisted call, and plain-data stdlib types it leaves as generic
 * objects (their constructors only store their arguments).
 */
export const SCANNER_ONLY_SAFE: ReadonlyMap<string, string> = new Map([
  ...pref("singleton or base class the decoder builds without a call", ["builtins.object", "builtins.Ellipsis", "builtins.NotImplemented"]),
  ...pref("Python 2 builtin spelling of an allowlisted type", ["builtins.long", "builtins.xrange", "builtins.unicode"]),
  ...pref("copyreg object protocol: the decoder runs it itself", ["copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__"]),
  ...pref("plain-data standard library type the decoder keeps as a generic object", [
    "collections.defaultdict", "collections.Counter", "collections.deque", "datetime.timezone", "fractions.Fraction",
  ]),
  ...pref("numpy type the decoder builds through numpy.core.multiarray._reconstruct", ["numpy.ndarray"]),
]);

/**
 * Python 3 qualified names of allowlisted reconstructors: these alone make a
 * pickle `safe`. Everything the decoder reconstructs is safe here
 * (scan-allowlist.test.ts checks each one classifies `safe`), plus
 * SCANNER_ONLY_SAFE.
 */
export const SAFE_GLOBALS: ReadonlySet<string> = new Set([...allowlistedNames(), ...SCANNER_ONLY_SAFE.keys()]);

/**
 * Added to SAFE_GLOBALS inside PyTorch files: the one list of torch names
 * (torch-zip's scanTorch uses it through `scanPickle(..., { torch: true })`).
 * torch.load(weights_only=True) (torch/_weights_only_unpickler.py
 * `_get_allowed_globals`) allows the same family, including the sparse
 * layout lookup `torch.serialization._get_layout` and the quantization
 * schemes `_rebuild_qtensor` takes; `argparse.Namespace` is what training
 * scripts store as `args`, and its constructor only sets attributes from
 * its keyword arguments.
 */
export const SAFE_TORCH_GLOBALS: ReadonlySet<string> = new Set([
  "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
  "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
  "torch._utils._rebuild_device_tensor_from_numpy", "torch._utils._rebuild_qtensor",
  "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_nested_tensor",
  "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
  "torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2", "torch.nn.parameter.Parameter",
  "torch.Size", "torch.device", "torch.Tensor", "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
  "torch.storage._TypedStorage", "torch.UntypedStorage", "torch.TypedStorage",
  "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
  "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag",
  ...["Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool", "ComplexFloat",
    "ComplexDouble", "QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4", "Untyped"].map((s) => `torch.${s}Storage`),
  ...["float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
    "int16", "short", "int8", "uint8", "bool", "complex64", "cfloat", "complex128", "cdouble", "uint16", "uint32",
    "uint64", "float8_e4m3fn", "float8_e5m2", "qint8", "quint8", "qint32", "quint4x2", "complex32", "chalf",
    "contiguous_format", "channels_last", "preserve_format", "strided", "sparse_coo", "sparse_csr", "sparse_csc",
    "sparse_bsr", "sparse_bsc", "per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
    "per_channel_symmetric", "per_channel_affine_float_qparams"].map((s) => `torch.${s}`),
  "torch.serialization._get_layout",
  "argparse.Namespace",
]);

/** Added inside joblib files: joblib's array wrappers (the array follows the pickle). */
export const SAFE_JOBLIB_GLOBALS: ReadonlySet<string> = new Set([
  "joblib.numpy_pickle.NumpyArrayWrapper",
  "joblib.numpy_pickle_compat.NDArrayWrapper",
  "joblib.numpy_pickle_compat.ZNDArrayWrapper",
  "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
]);

/** Dunder names that are part of ordinary pickles, not attribute tricks. */
export const ORDINARY_DUNDERS: ReadonlySet<string> = new Set(["__main__", "__torch__", "__builtin__", "__newobj__", "__newobj_ex__"]);

/** Keys of a BUILD state that replace an instance's behaviour instead of its data. */
export const BEHAVIOUR_KEYS: ReadonlySet<string> = new Set([
  "__setstate__", "__reduce__", "__reduce_ex__", "__getattr__", "__getattribute__", "__setattr__", "__delattr__",
  "__init__", "__new__", "__call__", "__class__", "__dict__", "__globals__", "__builtins__", "__code__",
  "__getitem__", "__setitem__", "__del__", "__eq__", "__hash__", "__index__", "__len__", "__iter__", "extend", "append",
]);

/**
 * Loaders whose nested input the scanner can read: their risk is the nested
 * file's verdict (at least suspicious), not a flat "dangerous". torch 1.x
 * pickles every storage of a plainly pickled tensor as
 * `torch.storage._load_from_bytes(<legacy torch file bytes>)`.
 */
export const SCANNED_NESTED_LOADERS: ReadonlySet<string> = new Set(["torch.storage._load_from_bytes"]);
