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

const cache = new Map<string, readonly [string, string]>();

/** The Python 3 (module, name) that `pickle.load(fix_imports=True)` would import. */
export function py3Name(module: string, name: string): readonly [string, string] {
  const key = `${module}.${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let out = py2to3Name(module, name);
  // numpy 2 moved numpy.core to numpy._core and keeps the old name as an alias.
  if (out[0] === "numpy._core" || out[0].startsWith("numpy._core.")) out = [`numpy.core${out[0].slice(11)}`, out[1]];
  if (cache.size < 4096) cache.set(key, out);
  return out;
}

/** Only the Python 2 -> 3 renames (what a protocol >= 3 pickle must spell). */
export function py2to3Name(module: string, name: string): readonly [string, string] {
  return NAMES[`${module}.${name}`] ?? [MODULES[module] ?? module, name];
}

/** `module.name` after the Python 2 mapping (and numpy._core -> numpy.core). */
export function py3QualifiedName(module: string, name: string): string {
  const [m, n] = py3Name(module, name);
  return `${m}.${n}`;
}
