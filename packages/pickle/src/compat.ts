/**
 * Python 2 -> Python 3 global names, as CPython's Lib/_compat_pickle.py maps
 * them when an Unpickler runs with fix_imports=True (protocol < 3). The
 * decoder keeps the names exactly as the stream wrote them (so re-encoding
 * and scanning see the original bytes); allowlist lookups, the canonical
 * repr and comparisons use the mapped name from `py3Name`.
 */

/** Module renames (IMPORT_MAPPING): the ones that occur in data pickles. */
const MODULES: Readonly<Record<string, string>> = {
  __builtin__: "builtins",
  copy_reg: "copyreg",
  Queue: "queue",
  repr: "reprlib",
  _abcoll: "collections.abc",
  UserDict: "collections",
  UserList: "collections",
  UserString: "collections",
  thread: "_thread",
  httplib: "http.client",
  urlparse: "urllib.parse",
  cookielib: "http.cookiejar",
  Cookie: "http.cookies",
  xmlrpclib: "xmlrpc.client",
  commands: "subprocess",
  exceptions: "builtins",
  cPickle: "pickle",
  cStringIO: "io",
  StringIO: "io",
};

/** (module, name) renames that NAME_MAPPING handles before module renames. */
const NAMES: Readonly<Record<string, readonly [string, string]>> = {
  "__builtin__.xrange": ["builtins", "range"],
  "__builtin__.reduce": ["functools", "reduce"],
  "__builtin__.intern": ["sys", "intern"],
  "__builtin__.unichr": ["builtins", "chr"],
  "__builtin__.unicode": ["builtins", "str"],
  "__builtin__.long": ["builtins", "int"],
  "__builtin__.basestring": ["builtins", "str"],
  "itertools.izip": ["builtins", "zip"],
  "itertools.imap": ["builtins", "map"],
  "itertools.ifilter": ["builtins", "filter"],
  "itertools.ifilterfalse": ["itertools", "filterfalse"],
  "itertools.izip_longest": ["itertools", "zip_longest"],
  "UserDict.IterableUserDict": ["collections", "UserDict"],
  "UserDict.UserDict": ["collections", "UserDict"],
  "UserList.UserList": ["collections", "UserList"],
  "UserString.UserString": ["collections", "UserString"],
  "exceptions.StandardError": ["builtins", "Exception"],
  "whichdb.whichdb": ["dbm", "whichdb"],
  "cStringIO.StringIO": ["io", "BytesIO"],
  "StringIO.StringIO": ["io", "StringIO"],
};

interface Py3Names {
  readonly pair: readonly [string, string];
  readonly qualified: string;
}

/**
 * module -> name -> Python 3 names. Two levels rather than one Map keyed by
 * `${module}.${name}`: the decoder asks for the same globals again and
 * again with the same (memoized) str objects, whose hashes V8 keeps, while
 * a concatenated key is a new string to flatten and hash on every lookup.
 * The qualified name handed out is one string per global for the same
 * reason (callers look it up in their own Maps).
 */
const cache = new Map<string, Map<string, Py3Names>>();
let cached = 0;

function py3Names(module: string, name: string): Py3Names {
  let byName = cache.get(module);
  const hit = byName?.get(name);
  if (hit !== undefined) return hit;
  let pair = py2to3Name(module, name);
  // numpy 2 moved numpy.core to numpy._core and keeps the old name as an alias.
  if (pair[0] === "numpy._core" || pair[0].startsWith("numpy._core.")) pair = [`numpy.core${pair[0].slice(11)}`, pair[1]];
  const out: Py3Names = { pair, qualified: `${pair[0]}.${pair[1]}` };
  if (cached < 4096) {
    if (byName === undefined) {
      byName = new Map();
      cache.set(module, byName);
    }
    byName.set(name, out);
    cached++;
  }
  return out;
}

/** The Python 3 (module, name) that `pickle.load(fix_imports=True)` would import. */
export function py3Name(module: string, name: string): readonly [string, string] {
  return py3Names(module, name).pair;
}

/** Only the Python 2 -> 3 renames (what a protocol >= 3 pickle must spell). */
export function py2to3Name(module: string, name: string): readonly [string, string] {
  return NAMES[`${module}.${name}`] ?? [MODULES[module] ?? module, name];
}

/** `module.name` after the Python 2 mapping (and numpy._core -> numpy.core). */
export function py3QualifiedName(module: string, name: string): string {
  return py3Names(module, name).qualified;
}
