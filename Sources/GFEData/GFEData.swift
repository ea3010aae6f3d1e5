import GFECore
